/** Small deterministic training rows for the trainer tests (letter counting in the compact tagged format). */
export const WORDS = ['navigant', 'strawberry', 'banana', 'letters', 'counting', 'mississippi', 'example', 'sixteen'];

export function letterCountRow(word: string, letter: string): { prompt: string; completion: string } {
  const count = [...word].filter((c) => c === letter).length;
  return {
    prompt: `How many ${letter} in ${word}?`,
    completion: `<sub-task>${letter}</sub-task><thinking>${word}</thinking><thinking>${letter}:${count}</thinking><answer>${count}</answer>`,
  };
}

/** 8 SFT rows, one per word, letter = the word's third character. */
export function eightRows(): { prompt: string; completion: string }[] {
  return WORDS.map((w) => letterCountRow(w, w[2]!));
}
