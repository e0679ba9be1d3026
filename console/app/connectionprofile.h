// ConnectionProfile: where the console connects (agent, token, fallback), and the named profiles kept
// in the console's settings.
#pragma once

#include "shared/core/accesscontrol.h" // readTokenFile

#include "shared/result.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

class QSettings;

namespace arena::console {

struct ConnectionProfile
{
    QString name;      // "" for an unnamed connection (command line)
    QUrl agent;        // ws:// or wss://
    QByteArray token;  // empty when the profile does not keep it
    QList<QUrl> fallbacks;

    bool canConnect() const { return agent.isValid() && !agent.isEmpty() && !token.isEmpty(); }
    friend bool operator==(const ConnectionProfile &, const ConnectionProfile &) = default;
};

// An agent address as typed by an operator: ws:// and wss:// as they are, http(s):// taken as ws(s)://,
// a bare "host:port" as ws://. Anything else is an error saying why.
Result<QUrl> agentUrlFromText(const QString &text);


// Profiles live in the settings under "profiles" (an array) and "connection/lastProfile". The settings
// object belongs to the caller (the application's, or a test's in a temporary folder).
class ProfileStore final
{
public:
    explicit ProfileStore(QSettings &settings);

    QStringList names() const;
    QList<ConnectionProfile> profiles() const;
    std::optional<ConnectionProfile> profile(const QString &name) const;
    // Adds or replaces the profile of that name (names are compared case-sensitively).
    void save(const ConnectionProfile &profile);
    void remove(const QString &name);

    QString lastUsed() const;
    void setLastUsed(const QString &name);
    std::optional<ConnectionProfile> lastUsedProfile() const;

private:
    void write(const QList<ConnectionProfile> &profiles);

    QSettings &m_settings;
};

} // namespace arena::console
