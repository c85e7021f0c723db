/**
 * Parses an argument list made only of literals (numbers, strings, booleans, null, undefined,
 * arrays and objects with identifier or string keys), e.g. `25, 2500` or `{ min: 1, max: 5 }`.
 * Returns undefined when the text is anything else, which marks the expression as code.
 */
export function parseLiteralArgs(text: string): unknown[] | undefined {
  const p = new LiteralParser(text);
  try {
    const out: unknown[] = [];
    p.ws();
    if (p.done()) return out;
    for (;;) {
      out.push(p.value());
      p.ws();
      if (p.done()) return out;
      p.expect(',');
      p.ws();
      if (p.done()) return out; // trailing comma
    }
  } catch {
    return undefined;
  }
}

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.i >= this.s.length;
  }

  ws(): void {
    while (this.i < this.s.length && /\s/.test(this.s[this.i]!)) this.i++;
  }

  expect(ch: string): void {
    if (this.s[this.i] !== ch) throw new Error(`expected ${ch}`);
    this.i++;
  }

  value(): unknown {
    this.ws();
    const ch = this.s[this.i];
    if (ch === '{') return this.object();
    if (ch === '[') return this.array();
    if (ch === '"' || ch === "'") return this.string();
    const num = /^[-+]?(?:0x[0-9a-f]+|(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)/i.exec(this.s.slice(this.i));
    if (num) {
      this.i += num[0].length;
      return Number(num[0]);
    }
    const word = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i));
    if (word) {
      this.i += word[0].length;
      switch (word[0]) {
        case 'true': return true;
        case 'false': return false;
        case 'null': return null;
        case 'undefined': return undefined;
      }
    }
    throw new Error('not a literal');
  }

  private string(): string {
    const quote = this.s[this.i++];
    let out = '';
    while (this.i < this.s.length) {
      const ch = this.s[this.i++]!;
      if (ch === quote) return out;
      if (ch === '\\') {
        const esc = this.s[this.i++];
        const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '0': '\0', b: '\b', f: '\f', v: '\v' };
        if (esc === 'u') {
          out += String.fromCharCode(parseInt(this.s.slice(this.i, this.i + 4), 16));
          this.i += 4;
        } else {
          out += esc !== undefined && esc in map ? map[esc] : esc ?? '';
        }
      } else {
        out += ch;
      }
    }
    throw new Error('unterminated string');
  }

  private array(): unknown[] {
    this.expect('[');
    const out: unknown[] = [];
    this.ws();
    while (this.s[this.i] !== ']') {
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        this.ws();
      } else if (this.s[this.i] !== ']') {
        throw new Error('expected ]');
      }
    }
    this.i++;
    return out;
  }

  private object(): Record<string, unknown> {
    this.expect('{');
    const out: Record<string, unknown> = {};
    this.ws();
    while (this.s[this.i] !== '}') {
      let key: string;
      const ch = this.s[this.i];
      if (ch === '"' || ch === "'") {
        key = this.string();
      } else {
        const m = /^[A-Za-z_$][\w$]*/.exec(this.s.slice(this.i));
        if (!m) throw new Error('bad key');
        key = m[0];
        this.i += key.length;
      }
      this.ws();
      this.expect(':');
      out[key] = this.value();
      this.ws();
      if (this.s[this.i] === ',') {
        this.i++;
        this.ws();
      } else if (this.s[this.i] !== '}') {
        throw new Error('expected }');
      }
    }
    this.i++;
    return out;
  }
}
