#include "console/app/connectionprofile.h"

#include <QSettings>

namespace arena::console {

namespace {

const QString profilesKey = QStringLiteral("profiles");
const QString lastKey = QStringLiteral("connection/lastProfile");

} // namespace

Result<QUrl> agentUrlFromText(const QString &text)
{
    QString t = text.trimmed();
    if (t.isEmpty())
        return Error{QStringLiteral("bad_url"), QStringLiteral("the agent address is empty")};
    if (!t.contains(QStringLiteral("://")))
        t.prepend(QStringLiteral("ws://"));
    QUrl url(t, QUrl::StrictMode);
    if (!url.isValid() || url.host().isEmpty())
        return Error{QStringLiteral("bad_url"), QStringLiteral("\"%1\" is not an agent address (ws://host:4602)").arg(text)};
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http"))
        url.setScheme(QStringLiteral("ws"));
    else if (scheme == QLatin1String("https"))
        url.setScheme(QStringLiteral("wss"));
    else if (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))
        return Error{QStringLiteral("bad_url"),
                     QStringLiteral("\"%1\": the agent speaks ws:// or wss://, not %2://").arg(text, scheme)};
    if (url.port() < 0)
        url.setPort(4602);
    return url;
}

ProfileStore::ProfileStore(QSettings &settings) : m_settings(settings) {}

QList<ConnectionProfile> ProfileStore::profiles() const
{
    QList<ConnectionProfile> out;
    const int n = m_settings.beginReadArray(profilesKey);
    for (int i = 0; i < n; ++i) {
        m_settings.setArrayIndex(i);
        ConnectionProfile p;
        p.name = m_settings.value(QStringLiteral("name")).toString();
        p.agent = QUrl(m_settings.value(QStringLiteral("agent")).toString());
        p.token = m_settings.value(QStringLiteral("token")).toByteArray();
        for (const QString &f : m_settings.value(QStringLiteral("fallbacks")).toStringList()) {
            if (!f.isEmpty())
                p.fallbacks.append(QUrl(f));
        }
        if (!p.name.isEmpty())
            out.append(p);
    }
    m_settings.endArray();
    return out;
}

QStringList ProfileStore::names() const
{
    QStringList out;
    for (const ConnectionProfile &p : profiles())
        out.append(p.name);
    return out;
}

std::optional<ConnectionProfile> ProfileStore::profile(const QString &name) const
{
    for (const ConnectionProfile &p : profiles()) {
        if (p.name == name)
            return p;
    }
    return std::nullopt;
}

void ProfileStore::save(const ConnectionProfile &profile)
{
    if (profile.name.isEmpty())
        return;
    QList<ConnectionProfile> all = profiles();
    bool replaced = false;
    for (ConnectionProfile &p : all) {
        if (p.name == profile.name) {
            p = profile;
            replaced = true;
        }
    }
    if (!replaced)
        all.append(profile);
    write(all);
}

void ProfileStore::remove(const QString &name)
{
    QList<ConnectionProfile> all = profiles();
    all.removeIf([&](const ConnectionProfile &p) { return p.name == name; });
    write(all);
    if (lastUsed() == name)
        m_settings.remove(lastKey);
}

QString ProfileStore::lastUsed() const
{
    return m_settings.value(lastKey).toString();
}

void ProfileStore::setLastUsed(const QString &name)
{
    m_settings.setValue(lastKey, name);
}

std::optional<ConnectionProfile> ProfileStore::lastUsedProfile() const
{
    const QString last = lastUsed();
    return last.isEmpty() ? std::nullopt : profile(last);
}

void ProfileStore::write(const QList<ConnectionProfile> &profiles)
{
    m_settings.remove(profilesKey);
    m_settings.beginWriteArray(profilesKey, int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const ConnectionProfile &p = profiles.at(i);
        m_settings.setArrayIndex(i);
        m_settings.setValue(QStringLiteral("name"), p.name);
        m_settings.setValue(QStringLiteral("agent"), p.agent.toString());
        m_settings.setValue(QStringLiteral("token"), p.token);
        QStringList fallbacks;
        for (const QUrl &u : p.fallbacks)
            fallbacks.append(u.toString());
        m_settings.setValue(QStringLiteral("fallbacks"), fallbacks);
    }
    m_settings.endArray();
    m_settings.sync();
}

} // namespace arena::console
