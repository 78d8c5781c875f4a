/**
 * A tiny terminal screen for tests: applies text with the few control sequences readline writes
 * (carriage return, newline, cursor column and moves, erase line and below) and shows the lines a
 * person would see. Not a full VT100: enough to tell "a log line overwrote the prompt" from
 * "it was printed above the prompt, which was drawn again".
 */
export class Screen {
  private readonly rows: string[][] = [[]];
  private row = 0;
  private col = 0;

  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === "\x1b" && text[i + 1] === "[") {
        // The escape and "[" are checked above; the parameter and the final letter follow.
        const m = /^(\d*)([A-Za-z])/.exec(text.slice(i + 2));
        if (!m) continue;
        i += m[0].length + 1;
        this.control(m[2]!, m[1] === "" ? undefined : Number(m[1]));
      } else if (ch === "\r") this.col = 0;
      else if (ch === "\n") {
        this.row++;
        this.col = 0;
        while (this.rows.length <= this.row) this.rows.push([]);
      } else if (ch >= " ") {
        const line = this.rows[this.row]!;
        while (line.length < this.col) line.push(" ");
        line[this.col++] = ch;
      }
    }
  }

  private control(code: string, n: number | undefined): void {
    const line = this.rows[this.row]!;
    switch (code) {
      case "G": // cursor to column n (1-based)
        this.col = (n ?? 1) - 1;
        break;
      case "C":
        this.col += n ?? 1;
        break;
      case "D":
        this.col = Math.max(0, this.col - (n ?? 1));
        break;
      case "A":
        this.row = Math.max(0, this.row - (n ?? 1));
        break;
      case "B":
        this.row += n ?? 1;
        while (this.rows.length <= this.row) this.rows.push([]);
        break;
      case "K": // erase in line: 0 to the end, 1 to the start, 2 all
        if ((n ?? 0) === 0) line.length = Math.min(line.length, this.col);
        else if (n === 2) line.length = 0;
        else for (let c = 0; c <= this.col && c < line.length; c++) line[c] = " ";
        break;
      case "J": // erase below
        line.length = Math.min(line.length, this.col);
        this.rows.length = this.row + 1;
        break;
      default:
        break;
    }
  }

  /** The visible lines, trailing blanks removed. */
  lines(): string[] {
    const out = this.rows.map((r) => r.join("").trimEnd());
    while (out.length > 1 && out[out.length - 1] === "") out.pop();
    return out;
  }
}
