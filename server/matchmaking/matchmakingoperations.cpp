#include "server/matchmaking/matchmakingoperations.h"

#include "shared/store/memorydata.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

namespace arena {

namespace {

using Keys = StateStore::Keys;
using Args = StateStore::Args;
using ScoredMember = StateStore::ScoredMember;

constexpr double kInf = std::numeric_limits<double>::infinity();

template<typename T>
Reply storeFailure(const Result<T> &result)
{
    return Reply::error(result.error().message.toUtf8());
}

Reply flatHash(const StateStore::Fields &fields)
{
    QList<Reply> flat;
    flat.reserve(fields.size() * 2);
    for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
        flat.append(Reply::string(it.key()));
        flat.append(Reply::string(it.value()));
    }
    return Reply::array(flat);
}

std::optional<double> number(const QByteArray &text)
{
    bool ok = false;
    const double v = text.toDouble(&ok);
    if (!ok || !std::isfinite(v))
        return std::nullopt;
    return v;
}

// Reads a ticket's hash and deletes it and both sorted-set entries; an empty array when absent.
Result<Reply> takeTicket(MemoryData &data, const QByteArray &queue, const QByteArray &levels,
                         const QByteArray &ticketKey, const QByteArray &id)
{
    const Result<StateStore::Fields> fields = data.hgetAll(ticketKey);
    if (!fields)
        return fields.error();
    if (fields->isEmpty())
        return Reply::array({});
    if (const Result<qint64> r = data.del({ticketKey}); !r)
        return r.error();
    if (const Result<qint64> r = data.zrem(queue, {id}); !r)
        return r.error();
    if (const Result<qint64> r = data.zrem(levels, {id}); !r)
        return r.error();
    return flatHash(*fields);
}

} // namespace

StateStore::Operation MatchmakingOperations::enqueue()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
redis.call('HSET', KEYS[3], 'id', ARGV[1], 'session', ARGV[2], 'player', ARGV[3], 'level', ARGV[4],
           'enqueued', ARGV[5], 'instance', ARGV[6], 'room_type', ARGV[7], 'team_size', ARGV[8])
redis.call('ZADD', KEYS[1], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[4], ARGV[1])
return 1
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 3 || args.size() != 8)
            return Reply::error("ERR mm.enqueue needs 3 keys and 8 arguments");
        const std::optional<double> level = number(args[3]);
        const std::optional<double> enqueued = number(args[4]);
        if (!level || !enqueued)
            return Reply::error("ERR value is not a valid float");
        if (data.exists(keys[2]))
            return Reply::integer(0);
        const StateStore::Fields fields{
            {"id", args[0]},       {"session", args[1]},  {"player", args[2]},    {"level", args[3]},
            {"enqueued", args[4]}, {"instance", args[5]}, {"room_type", args[6]}, {"team_size", args[7]},
        };
        if (const Result<qint64> r = data.hset(keys[2], fields); !r)
            return storeFailure(r);
        if (const Result<qint64> r = data.zadd(keys[0], {{args[0], *enqueued}}); !r)
            return storeFailure(r);
        if (const Result<qint64> r = data.zadd(keys[1], {{args[0], *level}}); !r)
            return storeFailure(r);
        return Reply::integer(1);
    };
    return op;
}

StateStore::Operation MatchmakingOperations::remove()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
local ticket = redis.call('HGETALL', KEYS[3])
if #ticket == 0 then return {} end
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return ticket
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 3 || args.size() != 1)
            return Reply::error("ERR mm.remove needs 3 keys and 1 argument");
        const Result<Reply> taken = takeTicket(data, keys[0], keys[1], keys[2], args[0]);
        return taken ? *taken : Reply::error(taken.error().message.toUtf8());
    };
    return op;
}

StateStore::Operation MatchmakingOperations::release()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 1 || args.size() != 1)
            return Reply::error("ERR mm.release needs 1 key and 1 argument");
        const Result<std::optional<QByteArray>> current = data.get(keys[0]);
        if (!current)
            return storeFailure(current);
        if (!current->has_value() || **current != args[0])
            return Reply::integer(0);
        if (const Result<qint64> r = data.del({keys[0]}); !r)
            return storeFailure(r);
        return Reply::integer(1);
    };
    return op;
}

StateStore::Operation MatchmakingOperations::form()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
local queue, levels, prefix = KEYS[1], KEYS[2], KEYS[3]
local now, size = tonumber(ARGV[1]), tonumber(ARGV[2])
local initial, widen, maxWindow = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local offset, budget = tonumber(ARGV[6]), tonumber(ARGV[7])
if not (now and size and initial and widen and maxWindow and offset and budget)
   or size < 2 or offset < 0 or budget < 1 then
  return redis.error_reply('ERR mm.form: bad arguments')
end
local need = size - 1
local anchors = redis.call('ZRANGE', queue, offset, offset + budget - 1, 'WITHSCORES')
local examined, unmatched = 0, 0
local groups = {}
for i = 1, #anchors, 2 do
  local anchor = anchors[i]
  examined = examined + 1
  local score = redis.call('ZSCORE', levels, anchor)
  if score then
    local level = tonumber(score)
    local wait = (now - tonumber(anchors[i + 1])) / 1000
    if wait < 0 then wait = 0 end
    local window = initial + widen * wait
    if window > maxWindow then window = maxWindow end
    local cands = {}
    local below = redis.call('ZREVRANGEBYSCORE', levels, level - 1, math.ceil(level - window),
                             'WITHSCORES', 'LIMIT', 0, need)
    for j = #below - 1, 1, -2 do
      cands[#cands + 1] = {below[j], tonumber(below[j + 1])}
    end
    local above = redis.call('ZRANGEBYSCORE', levels, level, math.floor(level + window),
                             'WITHSCORES', 'LIMIT', 0, need + 1)
    local taken = 0
    for j = 1, #above, 2 do
      if above[j] ~= anchor and taken < need then
        cands[#cands + 1] = {above[j], tonumber(above[j + 1])}
        taken = taken + 1
      end
    end
    local best, bestSpread = nil, nil
    for j = 1, #cands - need + 1 do
      local lo = math.min(level, cands[j][2])
      local hi = math.max(level, cands[j + need - 1][2])
      if bestSpread == nil or hi - lo < bestSpread then
        best, bestSpread = j, hi - lo
      end
    end
    if best and bestSpread <= window then
      local members = {anchor}
      for j = best, best + need - 1 do members[#members + 1] = cands[j][1] end
      local group = {}
      for _, id in ipairs(members) do
        group[#group + 1] = redis.call('HGETALL', prefix .. id)
        redis.call('DEL', prefix .. id)
      end
      redis.call('ZREM', queue, unpack(members))
      redis.call('ZREM', levels, unpack(members))
      groups[#groups + 1] = group
    else
      unmatched = unmatched + 1
    end
  end
end
local result = {examined, unmatched, redis.call('ZCARD', queue)}
for _, group in ipairs(groups) do result[#result + 1] = group end
return result
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 3 || args.size() != 7)
            return Reply::error("ERR mm.form: bad arguments");
        std::optional<double> parsed[7];
        for (int i = 0; i < 7; ++i)
            parsed[i] = number(args[i]);
        if (std::any_of(std::begin(parsed), std::end(parsed), [](const auto &v) { return !v; }))
            return Reply::error("ERR mm.form: bad arguments");
        const double now = *parsed[0];
        const double size = *parsed[1];
        const double initial = *parsed[2];
        const double widen = *parsed[3];
        const double maxWindow = *parsed[4];
        const double offset = *parsed[5];
        const double budget = *parsed[6];
        if (size < 2 || offset < 0 || budget < 1)
            return Reply::error("ERR mm.form: bad arguments");
        const QByteArray &queue = keys[0];
        const QByteArray &levels = keys[1];
        const QByteArray &prefix = keys[2];
        const auto need = static_cast<qsizetype>(size) - 1;

        const Result<QList<ScoredMember>> anchors =
            data.zrangeByScore(queue, -kInf, kInf, static_cast<qint64>(offset), static_cast<qint64>(budget));
        if (!anchors)
            return storeFailure(anchors);
        qint64 examined = 0;
        qint64 unmatched = 0;
        QList<Reply> groups;
        for (const ScoredMember &anchor : *anchors) {
            ++examined;
            const Result<std::optional<double>> score = data.zscore(levels, anchor.member);
            if (!score)
                return storeFailure(score);
            if (!score->has_value())
                continue; // taken into a group earlier in this call
            const double level = **score;
            double wait = (now - anchor.score) / 1000;
            if (wait < 0)
                wait = 0;
            double window = initial + widen * wait;
            if (window > maxWindow)
                window = maxWindow;

            // The `need` nearest strictly below (ascending), then the `need` nearest at or above.
            QList<ScoredMember> candidates;
            const Result<QList<ScoredMember>> below = data.zrangeByScore(levels, std::ceil(level - window), level - 1);
            if (!below)
                return storeFailure(below);
            candidates = below->mid(std::max<qsizetype>(0, below->size() - need));
            const Result<QList<ScoredMember>> above =
                data.zrangeByScore(levels, level, std::floor(level + window), 0, need + 1);
            if (!above)
                return storeFailure(above);
            qsizetype taken = 0;
            for (const ScoredMember &m : *above) {
                if (m.member != anchor.member && taken < need) {
                    candidates.append(m);
                    ++taken;
                }
            }
            std::optional<qsizetype> best;
            double bestSpread = 0;
            for (qsizetype j = 0; j + need <= candidates.size(); ++j) {
                const double lo = std::min(level, candidates[j].score);
                const double hi = std::max(level, candidates[j + need - 1].score);
                if (!best || hi - lo < bestSpread) {
                    best = j;
                    bestSpread = hi - lo;
                }
            }
            if (!best || bestSpread > window) {
                ++unmatched;
                continue;
            }
            Keys members{anchor.member};
            for (qsizetype j = *best; j < *best + need; ++j)
                members.append(candidates[j].member);
            QList<Reply> group;
            for (const QByteArray &id : members) {
                const Result<Reply> ticket = takeTicket(data, queue, levels, prefix + id, id);
                if (!ticket)
                    return Reply::error(ticket.error().message.toUtf8());
                group.append(*ticket);
                // takeTicket leaves the sorted sets alone when the hash is missing; the script's
                // ZREM removes the entries regardless, so do the same.
                if (const Result<qint64> r = data.zrem(queue, {id}); !r)
                    return storeFailure(r);
                if (const Result<qint64> r = data.zrem(levels, {id}); !r)
                    return storeFailure(r);
            }
            groups.append(Reply::array(group));
        }
        const Result<qint64> remaining = data.zcard(queue);
        if (!remaining)
            return storeFailure(remaining);
        QList<Reply> result{Reply::integer(examined), Reply::integer(unmatched), Reply::integer(*remaining)};
        result += groups;
        return Reply::array(result);
    };
    return op;
}

void MatchmakingOperations::registerAll(StateStore &store)
{
    store.registerOperation(EnqueueName, enqueue());
    store.registerOperation(RemoveName, remove());
    store.registerOperation(ReleaseName, release());
    store.registerOperation(FormName, form());
}

} // namespace arena
