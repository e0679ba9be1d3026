#include "server/tlsconfig.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslKey>

namespace arena {

namespace {

Error invalid(const QString &message)
{
    return Error{QStringLiteral("invalid_config"), message};
}

} // namespace

Result<QSslConfiguration> loadServerTls(const QString &certificateFile, const QString &keyFile)
{
    QFile certFile(certificateFile);
    if (!certFile.open(QIODevice::ReadOnly))
        return invalid(QStringLiteral("tls-cert: cannot read %1: %2").arg(certificateFile, certFile.errorString()));
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    if (chain.isEmpty() || chain.first().isNull())
        return invalid(QStringLiteral("tls-cert: %1 holds no PEM certificate").arg(certificateFile));

    QFile key(keyFile);
    if (!key.open(QIODevice::ReadOnly))
        return invalid(QStringLiteral("tls-key: cannot read %1: %2").arg(keyFile, key.errorString()));
    const QByteArray pem = key.readAll();
    QSslKey privateKey;
    for (QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        privateKey = QSslKey(pem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!privateKey.isNull())
            break;
    }
    if (privateKey.isNull())
        return invalid(QStringLiteral("tls-key: %1 holds no unencrypted PEM private key (RSA, EC or DSA)").arg(keyFile));
    if (privateKey.algorithm() != chain.first().publicKey().algorithm())
        return invalid(QStringLiteral("tls-key: %1 is not a key of the kind the certificate in %2 names")
                           .arg(keyFile, certificateFile));

    QSslConfiguration config = QSslConfiguration::defaultConfiguration();
    config.setLocalCertificateChain(chain);
    config.setPrivateKey(privateKey);
    config.setProtocol(QSsl::TlsV1_2OrLater);
    config.setPeerVerifyMode(QSslSocket::VerifyNone);
    return config;
}

} // namespace arena
