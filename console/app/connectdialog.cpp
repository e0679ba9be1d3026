#include "console/app/connectdialog.h"

#include "console/app/consolepalette.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>
#include <QVBoxLayout>

namespace arena::console {

ConnectDialog::ConnectDialog(ProfileStore &profiles, const std::optional<ConnectionProfile> &initial, QWidget *parent)
    : QDialog(parent), m_profiles(profiles)
{
    setObjectName(QStringLiteral("connectDialog"));
    setWindowTitle(tr("Connect to an agent"));

    m_profileName = new QComboBox(this);
    m_profileName->setObjectName(QStringLiteral("profileName"));
    m_profileName->setEditable(true);
    m_profileName->setInsertPolicy(QComboBox::NoInsert);
    m_profileName->addItems(profiles.names());
    m_profileName->lineEdit()->setPlaceholderText(tr("name to save this connection under (optional)"));
    m_delete = new QPushButton(tr("Delete"), this);
    m_delete->setObjectName(QStringLiteral("deleteProfile"));
    m_delete->setToolTip(tr("Forget this profile"));
    auto *profileRow = new QHBoxLayout;
    profileRow->addWidget(m_profileName, 1);
    profileRow->addWidget(m_delete);

    m_agent = new QLineEdit(this);
    m_agent->setObjectName(QStringLiteral("agentUrl"));
    m_agent->setPlaceholderText(QStringLiteral("ws://host:4602"));

    m_token = new QLineEdit(this);
    m_token->setObjectName(QStringLiteral("token"));
    m_token->setEchoMode(QLineEdit::Password);
    m_token->setPlaceholderText(tr("operator or viewer token"));
    QAction *reveal = m_token->addAction(style()->standardIcon(QStyle::SP_FileDialogContentsView), QLineEdit::TrailingPosition);
    reveal->setCheckable(true);
    reveal->setToolTip(tr("Show the token"));
    connect(reveal, &QAction::toggled, this,
            [this](bool on) { m_token->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password); });
    auto *fromFile = new QToolButton(this);
    fromFile->setObjectName(QStringLiteral("tokenFromFile"));
    fromFile->setText(tr("From file…"));
    fromFile->setToolTip(tr("Read the first token of a \"role token [name]\" file"));
    connect(fromFile, &QToolButton::clicked, this, &ConnectDialog::loadTokenFile);
    auto *tokenRow = new QHBoxLayout;
    tokenRow->addWidget(m_token, 1);
    tokenRow->addWidget(fromFile);

    m_fallback = new QLineEdit(this);
    m_fallback->setObjectName(QStringLiteral("fallbackUrl"));
    m_fallback->setPlaceholderText(tr("optional: another agent of the fleet, tried when this one is unreachable"));

    m_saveToken = new QCheckBox(tr("Keep the token in the profile"), this);
    m_saveToken->setObjectName(QStringLiteral("saveToken"));
    m_saveToken->setChecked(false);
    m_saveToken->setToolTip(tr("Stored in plain text in the console's settings file"));

    m_error = new QLabel(this);
    m_error->setObjectName(QStringLiteral("connectError"));
    m_error->setWordWrap(true);
    m_error->hide();

    auto *form = new QFormLayout;
    form->addRow(tr("Profile:"), profileRow);
    form->addRow(tr("Agent:"), m_agent);
    form->addRow(tr("Token:"), tokenRow);
    form->addRow(tr("Fallback agent:"), m_fallback);
    form->addRow(QString(), m_saveToken);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel, this);
    QPushButton *connectButton = buttons->addButton(tr("Connect"), QDialogButtonBox::AcceptRole);
    connectButton->setObjectName(QStringLiteral("connectButton"));
    connectButton->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &ConnectDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &ConnectDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_error);
    layout->addWidget(buttons);
    setMinimumWidth(520);

    connect(m_profileName, &QComboBox::activated, this, [this](int index) { loadProfile(m_profileName->itemText(index)); });
    connect(m_delete, &QPushButton::clicked, this, &ConnectDialog::deleteProfile);

    if (initial)
        fill(*initial);
    else if (const auto last = profiles.lastUsedProfile())
        fill(*last);
    m_delete->setEnabled(profiles.profile(m_profileName->currentText()).has_value());
    connect(m_profileName, &QComboBox::currentTextChanged, this,
            [this](const QString &name) { m_delete->setEnabled(m_profiles.profile(name).has_value()); });
}

void ConnectDialog::loadProfile(const QString &name)
{
    if (const auto p = m_profiles.profile(name))
        fill(*p);
}

void ConnectDialog::fill(const ConnectionProfile &profile)
{
    m_profileName->setCurrentText(profile.name);
    m_agent->setText(profile.agent.toString());
    m_token->setText(QString::fromUtf8(profile.token));
    m_fallback->setText(profile.fallbacks.isEmpty() ? QString() : profile.fallbacks.first().toString());
    m_saveToken->setChecked(!profile.token.isEmpty()); // off unless the profile already keeps one
}

void ConnectDialog::loadTokenFile()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Token file"));
    if (path.isEmpty())
        return;
    const auto token = readTokenFile(path);
    if (!token) {
        showError(token.error().message);
        return;
    }
    m_token->setText(QString::fromUtf8(token.value()));
    m_error->hide();
}

void ConnectDialog::deleteProfile()
{
    const QString name = m_profileName->currentText();
    m_profiles.remove(name);
    const int index = m_profileName->findText(name);
    if (index >= 0)
        m_profileName->removeItem(index);
    m_profileName->setCurrentText(QString());
}

void ConnectDialog::showError(const QString &text)
{
    QPalette p = m_error->palette();
    p.setColor(QPalette::WindowText, errorColor(isDarkPalette(palette())));
    m_error->setPalette(p);
    m_error->setText(text);
    m_error->show();
}

void ConnectDialog::accept()
{
    const auto agent = agentUrlFromText(m_agent->text());
    if (!agent) {
        showError(agent.error().message);
        m_agent->setFocus();
        return;
    }
    const QByteArray token = m_token->text().trimmed().toUtf8();
    if (token.isEmpty()) {
        showError(tr("Enter the token the agent's token file gives you (viewer or operator)."));
        m_token->setFocus();
        return;
    }
    ConnectionProfile p;
    p.name = m_profileName->currentText().trimmed();
    p.agent = agent.value();
    p.token = token;
    if (!m_fallback->text().trimmed().isEmpty()) {
        const auto fallback = agentUrlFromText(m_fallback->text());
        if (!fallback) {
            showError(fallback.error().message);
            m_fallback->setFocus();
            return;
        }
        p.fallbacks.append(fallback.value());
    }
    if (!p.name.isEmpty()) {
        ConnectionProfile stored = p;
        if (!m_saveToken->isChecked())
            stored.token.clear();
        m_profiles.save(stored);
        m_profiles.setLastUsed(p.name);
    }
    m_result = p;
    QDialog::accept();
}

} // namespace arena::console
