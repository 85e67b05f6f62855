import pc from "picocolors";

/** Where a command writes: stdout for results (data), stderr for progress and messages. */
export interface Output {
  /** A line of the command's result. */
  out(line: string): void;
  /** A line for the person (warnings, hints); never part of the data. */
  err(line: string): void;
  /** Pretty JSON on stdout (for `--json`). */
  json(value: unknown): void;
  /** Colours, or identity functions when stdout is not a TTY or NO_COLOR is set. */
  readonly color: Colors;
  /** A progress line on stderr, redrawn in place on a TTY; silent otherwise. */
  progress(label: string): Progress;
}

/** The colours commands use. */
export interface Colors {
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export interface Progress {
  update(label: string): void;
  /** A milestone worth keeping in the log: its own line on stderr, above the spinner on a TTY. */
  note(line: string): void;
  /** Clears the line (and prints `final` on stderr when given). */
  done(final?: string): void;
}

/** Identity colours (no TTY, NO_COLOR, tests). */
export const plainColors: Colors = {
  green: String,
  red: String,
  yellow: String,
  cyan: String,
  dim: String,
  bold: String,
};

/** What an output writes to; tests inject their own. */
export interface OutputStreams {
  readonly stdout: { write(text: string): unknown; readonly isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
  /** @default process.env.NO_COLOR is set */
  readonly noColor?: boolean;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/**
 * Makes the output: colour only when stdout is a TTY (and NO_COLOR is unset), a spinner on stderr only when
 * stderr is a TTY, so piped output and CI logs stay clean.
 */
export function createOutput(
  streams: OutputStreams = { stdout: process.stdout, stderr: process.stderr },
): Output {
  const noColor = streams.noColor ?? "NO_COLOR" in process.env;
  const colors: Colors =
    streams.stdout.isTTY && !noColor
      ? { green: pc.green, red: pc.red, yellow: pc.yellow, cyan: pc.cyan, dim: pc.dim, bold: pc.bold }
      : plainColors;
  return {
    out: (line) => void streams.stdout.write(`${line}\n`),
    err: (line) => void streams.stderr.write(`${line}\n`),
    json: (value) => void streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    color: colors,
    progress(label) {
      if (!streams.stderr.isTTY)
        return {
          update() {},
          note: (line) => void streams.stderr.write(`${line}\n`),
          done: (final) => final && streams.stderr.write(`${final}\n`),
        };
      let frame = 0;
      let text = label;
      const draw = () => streams.stderr.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text}`);
      draw();
      const timer = setInterval(draw, 100);
      timer.unref();
      return {
        update(next) {
          text = next;
          draw();
        },
        note(line) {
          streams.stderr.write(`\r\x1b[2K${line}\n`);
          draw();
        },
        done(final) {
          clearInterval(timer);
          streams.stderr.write("\r\x1b[2K");
          if (final) streams.stderr.write(`${final}\n`);
        },
      };
    },
  };
}
