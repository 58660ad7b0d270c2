/**
 * The user-turn text of a search prompt: the task instruction followed directly by the
 * question (the authors' `base_prompt` ends with "Now the question is: ", so no separator
 * is added). Every policy template and every data row uses this one function, so the
 * text a model was searched with is the text it is trained on.
 */
export function userText(instruction: string, question: string): string {
  return `${instruction}${question}`;
}
