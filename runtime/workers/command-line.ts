// nodeProcessCommandLine is a command line, not an argv: `"C:\Program Files\nodejs\node.exe" --harmony`.
// Split it the way a user reads it: whitespace separates words, double quotes group, no shell features.

export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quoted = false;
  for (const ch of text.trim()) {
    if (ch === '"') {
      quoted = !quoted;
      inWord = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
