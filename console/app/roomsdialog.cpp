#include "console/app/roomsdialog.h"

#include "console/app/consolepalette.h"
#include "console/app/consolesession.h"
#include "console/app/uitext.h"
#include "console/core/roomsmodel.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace arena::console {

RoomsDialog::RoomsDialog(ConsoleSession &session, const QString &instance, QWidget *parent)
    : QDialog(parent), m_session(session), m_instance(instance)
{
    setObjectName(QStringLiteral("roomsDialog"));
    setWindowTitle(tr("Rooms of %1").arg(instance));

    m_model = new RoomsModel(this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RoomsModel::SortRole);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("roomsTable"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(RoomsModel::Created, Qt::DescendingOrder);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setStretchLastSection(true);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &RoomsDialog::showDetails);

    m_details = new QPlainTextEdit(this);
    m_details->setObjectName(QStringLiteral("roomDetails"));
    m_details->setReadOnly(true);
    m_details->setPlaceholderText(tr("Select a room to see its metadata and members."));
    QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    m_details->setFont(mono);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_view);
    splitter->addWidget(m_details);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);

    m_type = new QLineEdit(this);
    m_type->setObjectName(QStringLiteral("roomTypeFilter"));
    m_type->setPlaceholderText(tr("room type (all when empty)"));
    m_type->setClearButtonEnabled(true);
    connect(m_type, &QLineEdit::returnPressed, this, &RoomsDialog::refresh);
    m_refresh = new QPushButton(tr("Refresh"), this);
    m_refresh->setObjectName(QStringLiteral("roomsRefresh"));
    m_refresh->setAutoDefault(false);
    connect(m_refresh, &QPushButton::clicked, this, &RoomsDialog::refresh);
    auto *top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Type:"), this));
    top->addWidget(m_type, 1);
    top->addWidget(m_refresh);

    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("roomsStatus"));
    m_status->setWordWrap(true);

    m_dispose = new QPushButton(tr("Dispose…"), this);
    m_dispose->setObjectName(QStringLiteral("roomDisposeButton"));
    m_dispose->setAutoDefault(false);
    connect(m_dispose, &QPushButton::clicked, this, [this] { disposeSelected(false); });
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_dispose, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    resize(900, 480);

    connect(&m_session, &ConsoleSession::accessChanged, this, &RoomsDialog::updateButtons);
    updateButtons();
    refresh();
}

QString RoomsDialog::statusText() const
{
    return m_status->text();
}

QString RoomsDialog::selectedRoom() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(RoomsModel::RoomIdRole).toString();
}

void RoomsDialog::refresh()
{
    if (m_busy)
        return;
    m_busy = true;
    updateButtons();
    setStatus(tr("Asking %1 for its rooms…").arg(m_instance), false);
    QJsonObject params;
    if (const QString type = m_type->text().trimmed(); !type.isEmpty())
        params.insert(QStringLiteral("type"), type);
    QPointer<RoomsDialog> self(this);
    m_session.client().query(protocol::QueryKind::Rooms, m_instance, params, [self](const protocol::QueryResult &r) {
        if (!self)
            return;
        self->m_busy = false;
        ++self->m_loads;
        if (!r.ok) {
            self->setStatus(tr("Could not list the rooms of %1: %2")
                                .arg(self->m_instance, r.error ? errorText(*r.error) : tr("no reason given")),
                            true);
        } else {
            const QJsonArray rooms = r.result.toJsonObject().value(QStringLiteral("rooms")).toArray();
            self->m_model->setRooms(rooms);
            self->setStatus(tr("%1 on %2.").arg(plural(rooms.size(), tr("room")), self->m_instance), false);
            self->showDetails();
        }
        self->updateButtons();
        Q_EMIT self->loaded();
    });
}

void RoomsDialog::disposeSelected(bool confirmed)
{
    const QString room = selectedRoom();
    if (room.isEmpty() || m_busy)
        return;
    if (const QString why = m_session.whyNoActions(); !why.isEmpty()) {
        setStatus(why, true);
        return;
    }
    if (!confirmed) {
        const auto answer = QMessageBox::question(
            this, tr("Dispose room"),
            tr("Dispose room %1 on %2? Its members are told the room closed and are removed from it.").arg(room, m_instance),
            QMessageBox::Yes | QMessageBox::Cancel, QMessageBox::Cancel);
        if (answer != QMessageBox::Yes)
            return;
    }
    m_busy = true;
    updateButtons();
    setStatus(tr("Disposing room %1…").arg(room), false);
    QPointer<RoomsDialog> self(this);
    m_session.client().action(protocol::ActionKind::DisposeRoom, m_instance, {{QStringLiteral("room_id"), room}}, false,
                              [self, room](const protocol::ActionResult &r) {
        if (!self)
            return;
        self->m_busy = false;
        if (!r.ok) {
            self->setStatus(tr("Could not dispose room %1: %2").arg(room, r.error ? errorText(*r.error) : tr("no reason given")),
                            true);
            self->updateButtons();
            return;
        }
        self->setStatus(tr("Room %1 disposed.").arg(room), false);
        self->refresh();
    });
}

void RoomsDialog::showDetails()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        m_details->clear();
        updateButtons();
        return;
    }
    const QJsonObject room = rows.first().data(RoomsModel::RoomRole).toJsonObject();
    QString text = tr("Room %1 (%2)\n").arg(room.value(QStringLiteral("id")).toString(),
                                             room.value(QStringLiteral("type")).toString());
    text += tr("hosted on: %1, created %2\n\n").arg(compactJson(room.value(QStringLiteral("host"))),
                                                    compactJson(room.value(QStringLiteral("createdAt"))));
    text += tr("Metadata:\n%1\n\n").arg(prettyJson(room.value(QStringLiteral("metadata"))));
    text += tr("Members:\n%1\n").arg(prettyJson(room.value(QStringLiteral("members"))));
    m_details->setPlainText(text);
    updateButtons();
}

void RoomsDialog::setStatus(const QString &text, bool error)
{
    m_status->setText(text);
    QPalette p = palette();
    if (error)
        p.setColor(QPalette::WindowText, errorColor(isDarkPalette(p)));
    m_status->setPalette(p);
}

void RoomsDialog::updateButtons()
{
    const QString why = m_session.whyNoActions();
    const bool selected = !selectedRoom().isEmpty();
    m_dispose->setEnabled(why.isEmpty() && selected && !m_busy);
    m_dispose->setToolTip(!why.isEmpty() ? why : selected ? tr("Dispose room %1").arg(selectedRoom()) : tr("select a room first"));
    m_refresh->setEnabled(!m_busy);
}

} // namespace arena::console
