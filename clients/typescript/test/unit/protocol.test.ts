import { describe, expect, it } from 'vitest';
import {
  camelToSnake,
  decodeServerMessage,
  encodeClientMessage,
  snakeToCamel,
  utf8Length,
  type ServerMessage,
} from '../../src/protocol.js';

function decoded(text: string): ServerMessage {
  const result = decodeServerMessage(text);
  if (!result.ok) throw new Error(`not decoded: ${JSON.stringify(result)}`);
  return result.message;
}

describe('case mapping', () => {
  it('maps names both ways', () => {
    expect(camelToSnake('maxClients')).toBe('max_clients');
    expect(camelToSnake('resumeToken')).toBe('resume_token');
    expect(camelToSnake('type')).toBe('type');
    expect(snakeToCamel('retry_after_ms')).toBe('retryAfterMs');
    expect(snakeToCamel('max_payload_depth')).toBe('maxPayloadDepth');
    expect(snakeToCamel('seq')).toBe('seq');
  });
});

describe('encodeClientMessage', () => {
  it('writes type, then rid, then the fields in snake_case', () => {
    expect(encodeClientMessage({ type: 'join_or_create', roomType: 'duel', maxClients: 2 }, 3)).toBe(
      '{"type":"join_or_create","rid":3,"room_type":"duel","max_clients":2}',
    );
    expect(encodeClientMessage({ type: 'hello', playerId: 'p-1', resumeToken: 'rt-1', protocol: 1 }, 1)).toBe(
      '{"type":"hello","rid":1,"player_id":"p-1","resume_token":"rt-1","protocol":1}',
    );
    expect(encodeClientMessage({ type: 'cancel_queue' })).toBe('{"type":"cancel_queue"}');
  });

  it('leaves absent optional fields out rather than writing null', () => {
    const text = encodeClientMessage({ type: 'create', roomType: 'relay', private: undefined, maxClients: undefined }, 9);
    expect(text).toBe('{"type":"create","rid":9,"room_type":"relay"}');
  });

  it('keeps free-form values exactly as given', () => {
    const data = { playerName: 'x', nested_key: { camelCase: [1, { snake_case: true }] } };
    const text = encodeClientMessage({ type: 'room_message', roomId: 'r-1', data }, 4);
    expect(JSON.parse(text)).toEqual({ type: 'room_message', rid: 4, room_id: 'r-1', data });
    const filter = { gameMode: 'ranked' };
    expect(JSON.parse(encodeClientMessage({ type: 'list_rooms', roomType: 'duel', filter }))).toEqual({
      type: 'list_rooms',
      room_type: 'duel',
      filter,
    });
  });
});

describe('decodeServerMessage', () => {
  it('reads a welcome into camelCase, limits included', () => {
    const text =
      '{"type":"welcome","rid":1,"session_id":"s-1","player_id":"p-1","resume_token":"rt-1","instance":"host-1",' +
      '"heartbeat_ms":15000,"resumed":true,"protocol":1,"limits":{"max_message_bytes":65536,"max_payload_bytes":16384,' +
      '"max_payload_depth":16,"messages_per_second":50}}';
    expect(decoded(text)).toEqual({
      type: 'welcome',
      rid: 1,
      sessionId: 's-1',
      playerId: 'p-1',
      resumeToken: 'rt-1',
      instance: 'host-1',
      heartbeatMs: 15000,
      resumed: true,
      protocol: 1,
      limits: { maxMessageBytes: 65536, maxPayloadBytes: 16384, maxPayloadDepth: 16, messagesPerSecond: 50 },
    });
  });

  it('maps members and room listings but not metadata or state', () => {
    const joined = decoded(
      '{"type":"joined","room_id":"r-1","room_type":"duel","seq":6,"max_clients":2,' +
        '"members":[{"session_id":"s-1","player_id":"p-1"}],"metadata":{"match_id":"m-1"},' +
        '"state":{"turn_ends_at":1,"players":{"s-1":{"healsLeft":3}}}}',
    );
    expect(joined).toEqual({
      type: 'joined',
      roomId: 'r-1',
      roomType: 'duel',
      seq: 6,
      maxClients: 2,
      members: [{ sessionId: 's-1', playerId: 'p-1' }],
      metadata: { match_id: 'm-1' },
      state: { turn_ends_at: 1, players: { 's-1': { healsLeft: 3 } } },
    });
    expect(
      decoded(
        '{"type":"room_list","rid":5,"rooms":[{"id":"r-1","type":"duel","clients":1,"max_clients":2,"locked":false,' +
          '"metadata":{"game_mode":"ranked"}}]}',
      ),
    ).toEqual({
      type: 'room_list',
      rid: 5,
      rooms: [{ id: 'r-1', type: 'duel', clients: 1, maxClients: 2, locked: false, metadata: { game_mode: 'ranked' } }],
    });
  });

  it('keeps a null state and optional fields only when present', () => {
    expect(decoded('{"type":"room_event","room_id":"r","seq":2,"data":null}')).toEqual({
      type: 'room_event',
      roomId: 'r',
      seq: 2,
      data: null,
    });
    expect(decoded('{"type":"room_event","room_id":"r","from":"s-2","seq":3,"data":[1]}')).toMatchObject({ from: 's-2' });
    expect(decoded('{"type":"error","rid":8,"code":"rate_limited","message":"slow down","retry_after_ms":20}')).toEqual({
      type: 'error',
      rid: 8,
      code: 'rate_limited',
      message: 'slow down',
      retryAfterMs: 20,
    });
    expect(decoded('{"type":"session_closing","reason":"shutdown","code":1001,"retry_after_ms":1000}')).toEqual({
      type: 'session_closing',
      reason: 'shutdown',
      code: 1001,
      retryAfterMs: 1000,
    });
  });

  it('ignores unknown fields and reports unknown types as ignored', () => {
    expect(decoded('{"type":"ack","rid":4,"added_later":{"x":1}}')).toEqual({ type: 'ack', rid: 4 });
    expect(decodeServerMessage('{"type":"future_message","x":1}')).toEqual({ ok: false, ignored: true, type: 'future_message' });
  });

  it('refuses malformed messages, naming the field and keeping the rid', () => {
    expect(decodeServerMessage('{"type":"pong","rid":2,"time":1}')).toEqual({
      ok: false,
      ignored: false,
      error: 'pong: server_time: expected a whole number >= 0',
      rid: 2,
    });
    expect(decodeServerMessage('{"type":"joined","room_id":"r","room_type":"t","seq":0,"max_clients":1,"members":[{"session_id":1}],"metadata":{},"state":null}')).toMatchObject({
      ok: false,
      error: 'joined: members[0].session_id: expected a string',
    });
    expect(decodeServerMessage('not json')).toEqual({ ok: false, ignored: false, error: 'not JSON' });
    expect(decodeServerMessage('[1]')).toEqual({ ok: false, ignored: false, error: 'no message type' });
  });
});

describe('utf8Length', () => {
  it('counts UTF-8 bytes', () => {
    expect(utf8Length('abc')).toBe(3);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('€')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('\ud800')).toBe(3); // a lone surrogate is written as U+FFFD
    for (const text of ['héllo wörld', '日本語', 'a😀b']) expect(utf8Length(text)).toBe(Buffer.byteLength(text, 'utf8'));
  });
});
