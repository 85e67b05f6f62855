import type { AlarmStateValue } from "../events/index.js";

/** Parses AWS's timestamps, including CloudWatch's `2026-03-02T12:04:40.989+0000` (no colon in the offset). */
export function parseAwsTime(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const normalized = value.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `2026-03-02 12:04:40 UTC`, or the raw text when it is not a time. */
export function formatTime(value: string | number | undefined): string {
  const ms = typeof value === "number" ? value : parseAwsTime(value);
  if (ms === undefined) return typeof value === "string" ? value : "unknown";
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** `45 s`, `15 min`, `1 h 3 min`, `2 d 4 h`. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return seconds % 60 === 0 ? `${minutes} min` : `${minutes} min ${seconds % 60} s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}

/** How each alarm state looks: emoji shortcode (rendered in headers) and the attachment colour. */
export const STATE_STYLE: Record<
  AlarmStateValue | "RESOLVED",
  { emoji: string; color: string; label: string }
> = {
  ALARM: { emoji: ":red_circle:", color: "#d93f0b", label: "ALARM" },
  OK: { emoji: ":large_green_circle:", color: "#2eb67d", label: "OK" },
  INSUFFICIENT_DATA: { emoji: ":white_circle:", color: "#9e9e9e", label: "INSUFFICIENT DATA" },
  RESOLVED: { emoji: ":white_check_mark:", color: "#2eb67d", label: "RESOLVED" },
};

/** Colours of clawops' own messages, by tone. */
export const TONE_COLOR = { bad: "#d93f0b", warn: "#ecb22e", good: "#2eb67d", info: "#1d9bd1" } as const;

/** Byte counts as `1.0 MiB`. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
