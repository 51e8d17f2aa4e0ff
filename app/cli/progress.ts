/**
 * A progress bar for long CLI work, on stderr so that --json output on stdout stays clean.
 * Redraws at most every 100 ms; prints plain lines when stderr is not a terminal.
 */
import { monotonicMs } from "../clock";

export class ProgressBar {
  private last = 0;
  private readonly started = monotonicMs();
  private lastLine = -1;
  constructor(private readonly label: string, private total: number, private readonly unit = "items") {}

  update(done: number, total = this.total, extra = ""): void {
    this.total = total;
    const now = monotonicMs();
    if (now - this.last < 100 && done < total) return;
    this.last = now;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const secs = (now - this.started) / 1000;
    const rate = secs > 0 ? done / secs : 0;
    const text = `${this.label} ${(frac * 100).toFixed(0).padStart(3)}% ${done}/${total} ${this.unit} ${rate.toFixed(0)}/s ${extra}`;
    if (process.stderr.isTTY) {
      const width = 24;
      const filled = Math.round(frac * width);
      process.stderr.write(`\r[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${text}`.padEnd(100));
    } else {
      const decile = Math.floor(frac * 10);
      if (decile !== this.lastLine) {
        this.lastLine = decile;
        process.stderr.write(text + "\n");
      }
    }
  }

  done(extra = ""): void {
    this.update(this.total, this.total, extra);
    if (process.stderr.isTTY) process.stderr.write("\n");
  }
}
