// The messages between arena-server and its arena-worker processes: CBOR maps in length-prefixed frames
// (shared/ipc). Every map has a type under "t"; the keys are short because they cross the pipe for every
// room event. JSON values (room data, state, options, snapshots) travel as UTF-8 JSON text in byte
// strings, exactly as the player protocol carries them.
//
// server -> worker
//   open     {m, type, mc, o, mem: [[session, player], ...], snap?}  host match m (restore it when snap
//                                                                     is given); answered by opened / open_failed
//   join     {m, s, p}              a member joined (the server checked capacity, lock and reservations)
//   leave    {m, s, p, r}           a member left, reason r
//   msg      {m, s, p, d, q}        a room_message; answered by reply {q}
//   close    {m, r}                 the match is over (disposed on the server): onDispose, then forget it
//   export   {m}                    answered by exported {m, snap}; the match then stops here (it moves)
//   ping     {n}                    watchdog; answered by pong
//   stop     {}                     exit now (the server moved every match away first)
// worker -> server
//   hello    {w, pid}               first frame after connecting
//   opened   {m}  open_failed {m, code, msg}
//   reply    {m, q} (accepted) or {m, q, code, msg} (refused)
//   kick     {m, s, code, msg}      the room logic refused a join
//   bcast    {m, d, f?}             room_event to every member (f: sender session)
//   send     {m, s, d}              room_event to one member
//   state    {m, d}                 setState
//   meta     {m, d}                 setMetadata (a JSON object)
//   lock     {m, v}                 setLocked
//   dispose  {m, r}                 the room logic ended the match
//   snap     {m, d}                 the match's latest snapshot (sent whenever it changed)
//   exported {m, snap}
//   pong     {n, matches, ticks, lag_p99_us, lag_max_us}   tick lag since the previous pong
#pragma once

#include <QLatin1StringView>

namespace arena::workerproto {

inline constexpr QLatin1StringView Type{"t"};
inline constexpr QLatin1StringView Match{"m"};
inline constexpr QLatin1StringView RoomType{"type"};
inline constexpr QLatin1StringView MaxClients{"mc"};
inline constexpr QLatin1StringView Options{"o"};
inline constexpr QLatin1StringView Members{"mem"};
inline constexpr QLatin1StringView Snapshot{"snap"};
inline constexpr QLatin1StringView Session{"s"};
inline constexpr QLatin1StringView Player{"p"};
inline constexpr QLatin1StringView Reason{"r"};
inline constexpr QLatin1StringView Data{"d"};
inline constexpr QLatin1StringView From{"f"};
inline constexpr QLatin1StringView Request{"q"};
inline constexpr QLatin1StringView Code{"code"};
inline constexpr QLatin1StringView Message{"msg"};
inline constexpr QLatin1StringView Value{"v"};
inline constexpr QLatin1StringView Number{"n"};
inline constexpr QLatin1StringView WorkerId{"w"};
inline constexpr QLatin1StringView Pid{"pid"};
inline constexpr QLatin1StringView MatchCount{"matches"};
inline constexpr QLatin1StringView Ticks{"ticks"};
inline constexpr QLatin1StringView LagP99Us{"lag_p99_us"};
inline constexpr QLatin1StringView LagMaxUs{"lag_max_us"};

namespace type {
inline constexpr QLatin1StringView Open{"open"};
inline constexpr QLatin1StringView Join{"join"};
inline constexpr QLatin1StringView Leave{"leave"};
inline constexpr QLatin1StringView Msg{"msg"};
inline constexpr QLatin1StringView Close{"close"};
inline constexpr QLatin1StringView Export{"export"};
inline constexpr QLatin1StringView Ping{"ping"};
inline constexpr QLatin1StringView Stop{"stop"};
inline constexpr QLatin1StringView Hello{"hello"};
inline constexpr QLatin1StringView Opened{"opened"};
inline constexpr QLatin1StringView OpenFailed{"open_failed"};
inline constexpr QLatin1StringView Reply{"reply"};
inline constexpr QLatin1StringView Kick{"kick"};
inline constexpr QLatin1StringView Broadcast{"bcast"};
inline constexpr QLatin1StringView Send{"send"};
inline constexpr QLatin1StringView State{"state"};
inline constexpr QLatin1StringView Meta{"meta"};
inline constexpr QLatin1StringView Lock{"lock"};
inline constexpr QLatin1StringView Dispose{"dispose"};
inline constexpr QLatin1StringView Snap{"snap"};
inline constexpr QLatin1StringView Exported{"exported"};
inline constexpr QLatin1StringView Pong{"pong"};
} // namespace type

} // namespace arena::workerproto
