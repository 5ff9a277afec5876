/**
 * Substrings that repeat line after line (one address, one command name): `text[from, to)` comes
 * back as the previous call's string when it is the same text, so 10,000 listeners of one server
 * share one copy instead of holding 10,000.
 */
export class RepeatedText {
  private last = "";

  slice(text: string, from: number, to: number): string {
    if (to - from !== this.last.length || !text.startsWith(this.last, from)) {
      this.last = text.slice(from, to);
    }
    return this.last;
  }
}
