// arena-ctl's exit codes and how a failure maps to one.
#pragma once

#include "shared/protocol/errorcode.h"

namespace arena::ctl {

enum class ExitCode : int {
    Ok = 0,          // the command did what it was asked
    Failed = 1,      // the agent (or the server behind it) refused or failed the action or query
    Usage = 2,       // bad command line, unreadable token file
    Unreachable = 3, // cannot connect to the agent, the token was refused, or the connection was lost
    Timeout = 4,     // no answer within --timeout-ms
};

// The exit code for an error that answered the `auth` message.
ExitCode exitCodeForAuthError(protocol::ErrorCode code);
// The exit code for an error that ended a request: the agent's own errors are Failed, but an error the
// client made up because the connection went away (`connected` false) is Unreachable.
ExitCode exitCodeForRequestError(protocol::ErrorCode code, bool connected);

// The text of `arena-ctl --help` that lists the exit codes.
QString exitCodeHelp();

} // namespace arena::ctl
