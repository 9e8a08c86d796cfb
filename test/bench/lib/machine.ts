// What the numbers were measured on: printed above every table and stored with the raw results.
import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';

export interface MachineInfo {
  date: string;
  cores: number;
  cpuModel: string;
  ramGiB: number;
  node: string;
  python: string;
  openstacksdk: string;
  loadAverageAtStart: number[];
}

export function machineInfo(sdkVersion: string): MachineInfo {
  let python = 'unknown';
  try {
    python = execFileSync('/usr/bin/python3', ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    /* reported as unknown */
  }
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    ramGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    python,
    openstacksdk: sdkVersion,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

export function machineLine(m: MachineInfo): string {
  return (
    `Machine: ${m.cores} cores (${m.cpuModel}), ${m.ramGiB} GiB RAM, Node ${m.node}, ${m.python}, openstacksdk ${m.openstacksdk}; ` +
    `${m.date.slice(0, 16).replace('T', ' ')} UTC; load average at start ${m.loadAverageAtStart.join(' / ')}.`
  );
}
