// TLS for the server's ports (docs/OPERATIONS.md, "Security"): the certificate chain and private key of
// --tls-cert / --tls-key, read once at start.
#pragma once

#include "shared/result.h"

#include <QSslConfiguration>

namespace arena {

// Reads a PEM certificate chain (the server's certificate first) and a PEM private key (RSA, EC or
// DSA, unencrypted). Errors (code "invalid_config") name the file and what is wrong with it:
// unreadable, no certificate in it, not a private key, or a key of another kind than the certificate's
// (a key of the right kind that is not the certificate's own fails each handshake instead, logged).
// The configuration offers TLS 1.2 or later and asks clients for no certificate.
Result<QSslConfiguration> loadServerTls(const QString &certificateFile, const QString &keyFile);

} // namespace arena
