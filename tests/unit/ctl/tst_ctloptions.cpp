// arena-ctl's command line: every command with its arguments and options, global options before or after
// the command, the token from --token / --token-file / ARENA_TOKEN, help and version, and bad input
// refused as a usage error (exit 2) that says what is wrong.
#include "tools/ctl/ctlexitcode.h"
#include "tools/ctl/ctloptions.h"

#include <QTemporaryDir>
#include <QTest>

using namespace arena::ctl;
using Kind = ParsedCommandLine::Kind;

Q_DECLARE_METATYPE(arena::ctl::Command)

namespace {

QStringList argv(const QString &line)
{
    return QStringList{QStringLiteral("arena-ctl")} + line.split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

ParsedCommandLine parse(const QString &line, const QProcessEnvironment &env = QProcessEnvironment())
{
    return parseCommandLine(argv(line), env);
}

} // namespace

class TestCtlOptions final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaults()
    {
        const ParsedCommandLine p = parse(QStringLiteral("fleet"));
        QCOMPARE(p.kind, Kind::Run);
        QCOMPARE(p.options.command, Command::Fleet);
        QCOMPARE(p.options.agent, QUrl(QStringLiteral("ws://127.0.0.1:4602")));
        QCOMPARE(p.options.timeoutMs, 15000);
        QCOMPARE(p.options.json, false);
        QVERIFY(p.options.token.isEmpty());
        QVERIFY(!p.options.instance);
        QCOMPARE(p.options.count, 50);
    }

    void commands_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<Command>("command");
        QTest::addColumn<QString>("instance"); // "" for none
        QTest::addColumn<bool>("dryRun");

        QTest::newRow("fleet") << "fleet" << Command::Fleet << "" << false;
        QTest::newRow("stats own") << "stats" << Command::Stats << "" << false;
        QTest::newRow("stats B") << "stats host-b" << Command::Stats << "host-b" << false;
        QTest::newRow("stats --instance") << "stats --instance host-b" << Command::Stats << "host-b" << false;
        QTest::newRow("cleanup fleet") << "cleanup" << Command::Cleanup << "" << false;
        QTest::newRow("cleanup B dry") << "cleanup --instance host-b --dry-run" << Command::Cleanup << "host-b" << true;
        QTest::newRow("scale") << "workers scale 2 --instance host-b" << Command::WorkersScale << "host-b" << false;
        QTest::newRow("scale dry") << "workers scale 3 --dry-run" << Command::WorkersScale << "" << true;
        QTest::newRow("restart") << "workers restart w1 --instance a" << Command::WorkersRestart << "a" << false;
        QTest::newRow("worker drain") << "workers drain w2 --deadline-ms 500" << Command::WorkersDrain << "" << false;
        QTest::newRow("drain") << "drain --instance a --deadline-ms 0" << Command::Drain << "a" << false;
        QTest::newRow("drain cancel") << "drain --cancel" << Command::Drain << "" << false;
        QTest::newRow("drain dry") << "drain --dry-run" << Command::Drain << "" << true;
        QTest::newRow("rooms") << "rooms --instance b --type duel" << Command::Rooms << "b" << false;
        QTest::newRow("rooms dispose") << "rooms dispose r-1 --instance b" << Command::RoomsDispose << "b" << false;
        QTest::newRow("rooms dispose dry") << "rooms dispose r-1 --dry-run" << Command::RoomsDispose << "" << true;
        QTest::newRow("audit") << "audit --count 7" << Command::Audit << "" << false;
    }

    void commands()
    {
        QFETCH(QString, line);
        QFETCH(Command, command);
        QFETCH(QString, instance);
        QFETCH(bool, dryRun);
        const ParsedCommandLine p = parse(line);
        QVERIFY2(p.kind == Kind::Run, qPrintable(p.text));
        QCOMPARE(p.options.command, command);
        QCOMPARE(p.options.instance.value_or(QString()), instance);
        QCOMPARE(p.options.dryRun, dryRun);
    }

    void commandArguments()
    {
        ParsedCommandLine p = parse(QStringLiteral("workers scale 4"));
        QCOMPARE(p.options.workers, 4);
        p = parse(QStringLiteral("workers scale 0"));
        QCOMPARE(p.kind, Kind::Run); // the server says whether 0 is allowed
        p = parse(QStringLiteral("workers restart w7"));
        QCOMPARE(p.options.workerId, QStringLiteral("w7"));
        QVERIFY(!p.options.deadlineMs);
        p = parse(QStringLiteral("workers drain w3 --deadline-ms 2500"));
        QCOMPARE(p.options.workerId, QStringLiteral("w3"));
        QCOMPARE(p.options.deadlineMs.value_or(-1), 2500);
        p = parse(QStringLiteral("drain --deadline-ms 1000"));
        QCOMPARE(p.options.deadlineMs.value_or(-1), 1000);
        QCOMPARE(p.options.cancel, false);
        p = parse(QStringLiteral("drain --cancel"));
        QCOMPARE(p.options.cancel, true);
        p = parse(QStringLiteral("rooms --type duel"));
        QCOMPARE(p.options.roomType.value_or(QString()), QStringLiteral("duel"));
        p = parse(QStringLiteral("rooms dispose r-7f3a"));
        QCOMPARE(p.options.roomId, QStringLiteral("r-7f3a"));
        p = parse(QStringLiteral("audit --count 1000"));
        QCOMPARE(p.options.count, 1000);
    }

    void globalOptionsBeforeOrAfterTheCommand()
    {
        const QString url = QStringLiteral("ws://10.0.0.2:9000");
        for (const QString &line : {QStringLiteral("--agent ws://10.0.0.2:9000 --json --timeout-ms 500 fleet"),
                                    QStringLiteral("fleet --agent ws://10.0.0.2:9000 --json --timeout-ms 500"),
                                    QStringLiteral("--json fleet --agent=ws://10.0.0.2:9000 --timeout-ms=500")}) {
            const ParsedCommandLine p = parse(line);
            QVERIFY2(p.kind == Kind::Run, qPrintable(line + QLatin1Char('\n') + p.text));
            QCOMPARE(p.options.agent, QUrl(url));
            QCOMPARE(p.options.json, true);
            QCOMPARE(p.options.timeoutMs, 500);
        }
        // After the command wins.
        const ParsedCommandLine p = parse(QStringLiteral("--timeout-ms 100 fleet --timeout-ms 200"));
        QCOMPARE(p.options.timeoutMs, 200);
        // http:// is the same port: taken as ws://.
        QCOMPARE(parse(QStringLiteral("fleet --agent http://h:4602")).options.agent, QUrl(QStringLiteral("ws://h:4602")));
        QCOMPARE(parse(QStringLiteral("fleet --agent wss://h:4602/x")).options.agent, QUrl(QStringLiteral("wss://h:4602/x")));
    }

    void token()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath(QStringLiteral("tokens"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("# tokens of the ops team\n\n  operator   op-secret-0123456789 ops-1  \nviewer view-secret-0123456789\n");
        }
        QProcessEnvironment env;
        env.insert(QStringLiteral("ARENA_TOKEN"), QStringLiteral("env-token-0123456789"));

        QCOMPARE(parse(QStringLiteral("fleet --token-file ") + file).options.token, QByteArray("op-secret-0123456789"));
        QCOMPARE(parse(QStringLiteral("fleet --token tok-1")).options.token, QByteArray("tok-1"));
        QCOMPARE(parse(QStringLiteral("fleet"), env).options.token, QByteArray("env-token-0123456789"));
        // Options beat the environment; --token beats --token-file.
        QCOMPARE(parse(QStringLiteral("fleet --token-file ") + file, env).options.token, QByteArray("op-secret-0123456789"));
        QCOMPARE(parse(QStringLiteral("--token-file ") + file + QStringLiteral(" fleet --token t2"), env).options.token,
                 QByteArray("t2"));

        QCOMPARE(arena::readTokenFile(file).value(), QByteArray("op-secret-0123456789"));
        const auto missing = arena::readTokenFile(dir.filePath(QStringLiteral("nope")));
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.contains(QStringLiteral("nope")));

        const QString bad = dir.filePath(QStringLiteral("bad"));
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("# nothing\noperator\n");
        }
        const auto malformed = arena::readTokenFile(bad);
        QVERIFY(!malformed.ok());
        QVERIFY2(malformed.error().message.contains(QStringLiteral(":2:")), qPrintable(malformed.error().message));
        const QString empty = dir.filePath(QStringLiteral("empty"));
        {
            QFile f(empty);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("# only a comment\n\n");
        }
        QVERIFY(!arena::readTokenFile(empty).ok());

        const ParsedCommandLine p = parse(QStringLiteral("fleet --token-file ") + dir.filePath(QStringLiteral("nope")));
        QCOMPARE(p.kind, Kind::Usage);
        QVERIFY(p.text.contains(QStringLiteral("cannot read token file")));
    }

    void helpAndVersion()
    {
        ParsedCommandLine p = parse(QStringLiteral("--help"));
        QCOMPARE(p.kind, Kind::Help);
        for (const char *needle : {"fleet", "stats", "cleanup", "workers scale", "workers restart", "workers drain", "drain",
                                   "rooms dispose", "audit", "--agent", "--token-file", "--json", "--timeout-ms", "Exit codes",
                                   "  0  success", "  1  ", "  2  usage", "  3  cannot connect", "  4  no answer"})
            QVERIFY2(p.text.contains(QLatin1String(needle)), needle);

        for (const QString &command : {QStringLiteral("fleet"), QStringLiteral("stats"), QStringLiteral("cleanup"),
                                       QStringLiteral("workers"), QStringLiteral("drain"), QStringLiteral("rooms"),
                                       QStringLiteral("audit")}) {
            p = parse(command + QStringLiteral(" --help"));
            QCOMPARE(p.kind, Kind::Help);
            QVERIFY2(p.text.startsWith(QStringLiteral("Usage: arena-ctl [global options] ") + command), qPrintable(p.text));
            QVERIFY(p.text.contains(QStringLiteral("Exit codes")));
            QCOMPARE(parse(QStringLiteral("-h ") + command).kind, Kind::Help);
        }
        QVERIFY(parse(QStringLiteral("workers --help")).text.contains(QStringLiteral("--deadline-ms")));
        QVERIFY(parse(QStringLiteral("cleanup --help")).text.contains(QStringLiteral("--dry-run")));
        QVERIFY(parse(QStringLiteral("audit --help")).text.contains(QStringLiteral("--count")));

        p = parse(QStringLiteral("--version"));
        QCOMPARE(p.kind, Kind::Version);
        QVERIFY(p.text.startsWith(QStringLiteral("arena-ctl ")));
    }

    void badInput_data()
    {
        QTest::addColumn<QString>("line");
        QTest::addColumn<QString>("message");

        QTest::newRow("nothing") << "" << "no command given";
        QTest::newRow("unknown command") << "frobnicate" << "unknown command 'frobnicate'";
        QTest::newRow("unknown global option") << "--bogus fleet" << "bogus";
        QTest::newRow("unknown option") << "fleet --bogus" << "bogus";
        QTest::newRow("option of another command") << "fleet --dry-run" << "dry-run";
        QTest::newRow("missing value") << "fleet --agent" << "agent";
        QTest::newRow("bad agent url") << "fleet --agent ftp://x" << "ws://";
        QTest::newRow("agent without host") << "fleet --agent ws://" << "ws://";
        QTest::newRow("timeout not a number") << "fleet --timeout-ms soon" << "--timeout-ms";
        QTest::newRow("timeout zero") << "fleet --timeout-ms 0" << "--timeout-ms";
        QTest::newRow("fleet argument") << "fleet x" << "unexpected argument 'x'";
        QTest::newRow("stats two") << "stats a b" << "unexpected argument 'b'";
        QTest::newRow("stats both") << "stats a --instance b" << "either";
        QTest::newRow("cleanup argument") << "cleanup b" << "unexpected argument 'b'";
        QTest::newRow("workers alone") << "workers" << "scale, restart or drain";
        QTest::newRow("workers unknown") << "workers grow 2" << "unknown 'workers' command 'grow'";
        QTest::newRow("scale without n") << "workers scale" << "number of workers";
        QTest::newRow("scale not a number") << "workers scale two" << "not 'two'";
        QTest::newRow("scale negative") << "workers scale -1" << "1";
        QTest::newRow("scale extra") << "workers scale 2 3" << "unexpected argument '3'";
        QTest::newRow("restart without id") << "workers restart" << "worker id";
        QTest::newRow("scale deadline") << "workers scale 2 --deadline-ms 5" << "--deadline-ms does not apply";
        QTest::newRow("drain worker bad deadline") << "workers drain w1 --deadline-ms -5" << "deadline";
        QTest::newRow("drain cancel and deadline") << "drain --cancel --deadline-ms 5" << "do not go together";
        QTest::newRow("drain argument") << "drain now" << "unexpected argument 'now'";
        QTest::newRow("rooms unknown") << "rooms list" << "unknown 'rooms' command 'list'";
        QTest::newRow("rooms dry run") << "rooms --dry-run" << "--dry-run does not apply";
        QTest::newRow("dispose without id") << "rooms dispose" << "room id";
        QTest::newRow("dispose with type") << "rooms dispose r-1 --type duel" << "--type does not apply";
        QTest::newRow("audit count zero") << "audit --count 0" << "--count";
        QTest::newRow("audit count too big") << "audit --count 1001" << "--count";
        QTest::newRow("audit instance") << "audit --instance a" << "instance";
    }

    void badInput()
    {
        QFETCH(QString, line);
        QFETCH(QString, message);
        const ParsedCommandLine p = parse(line);
        QCOMPARE(p.kind, Kind::Usage);
        QVERIFY2(p.text.startsWith(QStringLiteral("arena-ctl: ")), qPrintable(p.text));
        QVERIFY2(p.text.contains(message), qPrintable(p.text));
        QVERIFY2(p.text.contains(QStringLiteral("Usage: arena-ctl")), qPrintable(p.text)); // usage follows the error
    }

    void exitCodes()
    {
        using arena::protocol::ErrorCode;
        QCOMPARE(int(ExitCode::Ok), 0);
        QCOMPARE(int(ExitCode::Failed), 1);
        QCOMPARE(int(ExitCode::Usage), 2);
        QCOMPARE(int(ExitCode::Unreachable), 3);
        QCOMPARE(int(ExitCode::Timeout), 4);
        // Whatever answers auth ends the run before anything was asked: 3.
        for (ErrorCode code : arena::protocol::allErrorCodes)
            QCOMPARE(exitCodeForAuthError(code), ExitCode::Unreachable);
        // An answer to a request (forbidden, not_found, unavailable from a routed action, ...) is 1, but the
        // client's own "connection lost" is 3.
        for (ErrorCode code : arena::protocol::allErrorCodes) {
            QCOMPARE(exitCodeForRequestError(code, true), ExitCode::Failed);
            QCOMPARE(exitCodeForRequestError(code, false), ExitCode::Unreachable);
        }
        QVERIFY(exitCodeHelp().contains(QStringLiteral("  4  no answer within --timeout-ms")));
    }
};

QTEST_GUILESS_MAIN(TestCtlOptions)
#include "tst_ctloptions.moc"
