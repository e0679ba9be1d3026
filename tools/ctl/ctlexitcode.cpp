#include "tools/ctl/ctlexitcode.h"

namespace arena::ctl {

ExitCode exitCodeForAuthError(protocol::ErrorCode)
{
    // Whatever the reason (unauthorized, unavailable, a refused message), nothing was asked yet.
    return ExitCode::Unreachable;
}

ExitCode exitCodeForRequestError(protocol::ErrorCode, bool connected)
{
    return connected ? ExitCode::Failed : ExitCode::Unreachable;
}

QString exitCodeHelp()
{
    return QStringLiteral("Exit codes:\n"
                          "  0  success\n"
                          "  1  the action or query was refused or failed (the error code and message are on stderr)\n"
                          "  2  usage error (bad command line, unreadable token file)\n"
                          "  3  cannot connect to the agent, authentication failed, or the connection was lost\n"
                          "  4  no answer within --timeout-ms\n");
}

} // namespace arena::ctl
