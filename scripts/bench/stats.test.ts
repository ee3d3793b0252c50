import { describe, expect, it } from 'vitest';
import {
  describeCounts,
  diffCounts,
  establishedInodesTo,
  formatTable,
  parseBenchArgs,
  parseMongoCommandMetrics,
  parseRedisCommandStats,
  percentile,
  redisInfoField,
  rssMbFromStatus,
  socketInode,
  total,
} from './stats.js';

describe('bench counters', () => {
  it('reads Redis INFO commandstats, including subcommands, and differences two readings without the ignored ones', () => {
    const before = parseRedisCommandStats(
      '# Commandstats\r\ncmdstat_get:calls=3,usec=10,usec_per_call=3.3\r\ncmdstat_info:calls=1,usec=5\r\n',
    );
    const after = parseRedisCommandStats(
      '# Commandstats\r\ncmdstat_get:calls=5,usec=12\r\ncmdstat_evalsha:calls=2,usec=9\r\ncmdstat_client|setname:calls=1,usec=1\r\ncmdstat_info:calls=2,usec=9\r\n',
    );
    const diff = diffCounts(before, after, ['info', 'client|setname']);
    expect([...diff]).toEqual([
      ['get', 2],
      ['evalsha', 2],
    ]);
    expect(total(diff)).toBe(4);
    expect(describeCounts(diff, 2)).toBe('get 1.00, evalsha 1.00');
  });

  it('reads metrics.commands totals of serverStatus (FerretDB has no opcounters) and tolerates other shapes', () => {
    const status = {
      metrics: { commands: { find: { total: 7, failed: 0 }, insert: { total: { toString: () => '2' } }, odd: {} } },
    };
    expect([...parseMongoCommandMetrics(status)]).toEqual([
      ['find', 7],
      ['insert', 2],
    ]);
    expect(parseMongoCommandMetrics({ ok: 1 }).size).toBe(0);
    expect(parseMongoCommandMetrics(null).size).toBe(0);
  });

  it('reads connected_clients from INFO clients', () => {
    expect(redisInfoField('# Clients\r\nconnected_clients:7\r\nblocked_clients:0\r\n', 'connected_clients')).toBe(7);
    expect(redisInfoField('# Clients\r\n', 'connected_clients')).toBeNull();
  });
});

describe('bench /proc parsing', () => {
  it('reads VmRSS in MB', () => {
    expect(rssMbFromStatus('Name:\tnode\nVmRSS:\t  131072 kB\nThreads:\t11\n')).toBe(128);
    expect(rssMbFromStatus('Name:\tnode\n')).toBeNaN();
  });

  it('finds the established sockets to a port in /proc/net/tcp and matches fd links', () => {
    const table = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:9C40 0100007F:6989 01 00000000:00000000 00:00000000 00000000     0        0 1111 1 0',
      '   1: 0100007F:9C41 0100007F:6989 06 00000000:00000000 00:00000000 00000000     0        0 2222 1 0',
      '   2: 0100007F:9C42 0100007F:18EB 01 00000000:00000000 00:00000000 00000000     0        0 3333 1 0',
    ].join('\n');
    expect([...establishedInodesTo(table, 0x6989)]).toEqual(['1111']);
    expect(socketInode('socket:[1111]')).toBe('1111');
    expect(socketInode('/dev/null')).toBeNull();
  });
});

describe('bench output and arguments', () => {
  it('takes the nearest-rank percentile', () => {
    expect(percentile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
    expect(percentile([], 0.5)).toBeNaN();
  });

  it('pads a table under its header', () => {
    expect(formatTable(['a', 'bb'], [['xxx', 'y']])).toBe('a    bb\n---  --\nxxx  y');
  });

  it('parses --quick, --soak and --soak-minutes, refusing a bad duration', () => {
    expect(parseBenchArgs(['--quick'])).toEqual({ quick: true, soak: false, soakMinutes: 10 });
    expect(parseBenchArgs(['--soak', '--soak-minutes', '2'])).toEqual({ quick: false, soak: true, soakMinutes: 2 });
    expect(() => parseBenchArgs(['--soak', '--soak-minutes', 'x'])).toThrow(/positive number/);
  });
});
