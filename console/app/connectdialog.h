// ConnectDialog: choose or edit a connection profile (agent URL, token, fallback) and connect.
#pragma once

#include "console/app/connectionprofile.h"

#include <QDialog>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;

namespace arena::console {

class ConnectDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectDialog)

public:
    // Starts from `initial` (the current connection), else from the last used profile.
    ConnectDialog(ProfileStore &profiles, const std::optional<ConnectionProfile> &initial, QWidget *parent = nullptr);

    // What the operator entered; valid once accepted. Saved as a profile when it has a name.
    ConnectionProfile profile() const { return m_result; }

    void accept() override;

private:
    void loadProfile(const QString &name);
    void fill(const ConnectionProfile &profile);
    void loadTokenFile();
    void deleteProfile();
    void showError(const QString &text);

    ProfileStore &m_profiles;
    ConnectionProfile m_result;
    QComboBox *m_profileName = nullptr;
    QLineEdit *m_agent = nullptr;
    QLineEdit *m_token = nullptr;
    QLineEdit *m_fallback = nullptr;
    QCheckBox *m_saveToken = nullptr;
    QPushButton *m_delete = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace arena::console
