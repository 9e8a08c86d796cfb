// CPU accounting for "where does the time go": process CPU seconds from /proc, and the top self-time functions
// of a V8 .cpuprofile (node --cpu-prof).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './procs.ts';

const TICKS = 100; // USER_HZ on Linux

/** user+system CPU seconds of a process so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS; // utime, stime
  } catch {
    return NaN;
  }
}

export interface HotFunction {
  name: string;
  where: string;
  selfMs: number;
  percent: number;
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

/** The top self-time functions of the newest .cpuprofile in dir. */
/** Which package or oaktree folder a script belongs to: "node_modules/@grpc/grpc-js", "dist/backends/openstack", "(gc)"... */
function areaOf(functionName: string, url: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const path = url.replace(`file://${ROOT}`, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (pkg) return pkg[1];
  if (path.startsWith('node:')) return 'node core';
  return path
    .split('/')
    .slice(0, 3)
    .join('/')
    .replace(/\.(js|ts)$/, '');
}

export function topSelfTime(
  dir: string,
  top = 12,
): { totalMs: number; functions: HotFunction[]; areas: { area: string; percent: number }[] } {
  const file = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .pop();
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  let totalUs = 0;
  const byArea = new Map<string, number>();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    totalUs += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const area = areaOf(functionName, url);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
    const where = url
      ? `${url.replace(`file://${ROOT}`, '').replace(/^.*node_modules\//, 'node_modules/')}:${lineNumber + 1}`
      : '';
    const key = `${functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
  }
  const functions = [...byFunction.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((f) => ({
      name: f.name,
      where: f.where,
      selfMs: Math.round(f.us / 100) / 10,
      percent: Math.round((f.us / totalUs) * 1000) / 10,
    }));
  const areas = [...byArea]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 10)
    .map(([area, us]) => ({ area, percent: Math.round((us / totalUs) * 1000) / 10 }));
  return { totalMs: Math.round(totalUs / 1000), functions, areas };
}
