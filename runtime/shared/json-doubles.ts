// Which properties of a Table service JSON response are Doubles written as whole numbers. Azure (and our
// emulator) write a Double 2 as `2.0` with no type annotation, and JSON.parse makes it the number 2, which the
// SDK then reports as an Int32: the explorer would show it as Int32 and, on save, store it as one. This reads the
// response text once more, only to find number tokens with a fraction or an exponent, per entity object.
// `entities(text)` returns, for a single entity (`{…}`) or a page (`{"value": [{…}, …]}`), one set per entity
// of the property names whose number was written as a Double.

class Scanner {
  i = 0;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length && ' \t\r\n'.includes(this.s[this.i] as string)) this.i++;
  }

  string(): string {
    // At the opening quote; JSON.parse decodes the escapes (keys are short).
    const start = this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  /** Skips any value; returns whether it was a number token with a fraction or an exponent. */
  value(): boolean {
    this.ws();
    const c = this.s[this.i];
    if (c === '{') return (this.object(), false);
    if (c === '[') {
      this.i++;
      this.ws();
      if (this.s[this.i] === ']') return (this.i++, false);
      for (;;) {
        this.value();
        this.ws();
        if (this.s[this.i++] !== ',') break;
      }
      return false;
    }
    if (c === '"') return (this.string(), false);
    const start = this.i;
    while (this.i < this.s.length && !',}] \t\r\n'.includes(this.s[this.i] as string)) this.i++;
    const token = this.s.slice(start, this.i);
    return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token) && /[.eE]/.test(token);
  }

  /** An object: the names of its members that are double-looking numbers. */
  object(visit?: (key: string) => boolean): Set<string> {
    const doubles = new Set<string>();
    this.i++;
    this.ws();
    if (this.s[this.i] === '}') return (this.i++, doubles);
    for (;;) {
      this.ws();
      const key = this.string();
      this.ws();
      this.i++; // ':'
      if (visit?.(key)) {
        // handled by the visitor
      } else if (this.value()) doubles.add(key);
      this.ws();
      if (this.s[this.i++] !== ',') break;
    }
    return doubles;
  }
}

export function doublesPerEntity(text: string): Set<string>[] {
  try {
    const sc = new Scanner(text);
    sc.ws();
    if (sc.s[sc.i] !== '{') return [];
    const out: Set<string>[] = [];
    let isPage = false;
    const top = sc.object((key) => {
      if (key !== 'value') return false;
      sc.ws();
      if (sc.s[sc.i] !== '[') return false;
      isPage = true;
      sc.i++;
      sc.ws();
      if (sc.s[sc.i] === ']') return (sc.i++, true);
      for (;;) {
        sc.ws();
        if (sc.s[sc.i] === '{') out.push(sc.object());
        else sc.value();
        sc.ws();
        if (sc.s[sc.i++] !== ',') break;
      }
      return true;
    });
    return isPage ? out : [top];
  } catch {
    return [];
  }
}
