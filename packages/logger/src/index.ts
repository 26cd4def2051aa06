import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/** JSON logs on stdout, one line per entry, tagged with the service name. */
export function createLogger(service: string, level: LevelWithSilent = 'info'): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
  });
}
