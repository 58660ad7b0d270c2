"""Load a checkpoint written by `treecot export-hf` with transformers and report what it computes.

usage: python hf_model_check.py CHECKPOINT_DIR REQUEST.json RESULT.json

REQUEST: {"texts": [str], "chat": [{"user": str, "assistant": str}], "greedy": {"text": str, "max_new_tokens": int}}
RESULT:  {"versions": {...}, "tokens": [[int]] (tokenizer(text).input_ids, BOS added by the tokenizer),
          "log_probs": [[[float]]] (log-softmax of the logits at every position, float32 model, float64 output),
          "chat": [{"prompt_text", "full_text", "assistant_mask"}], "greedy": [int] (new tokens)}
"""
import json
import sys

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoTokenizer


def main():
    checkpoint, request_file, result_file = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(request_file, encoding="utf-8") as f:
        request = json.load(f)
    tokenizer = AutoTokenizer.from_pretrained(checkpoint)
    model = AutoModelForCausalLM.from_pretrained(checkpoint, dtype=torch.float32)
    model.eval()
    out = {
        "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
        "model_class": type(model).__name__,
        "tokenizer_class": type(tokenizer).__name__,
        "tokens": [],
        "log_probs": [],
        "decoded": [],
        "chat": [],
    }
    for text in request["texts"]:
        ids = tokenizer(text).input_ids
        out["tokens"].append(ids)
        out["decoded"].append(tokenizer.decode(ids, skip_special_tokens=True))
        with torch.no_grad():
            logits = model(torch.tensor([ids])).logits[0]
        out["log_probs"].append(torch.log_softmax(logits.double(), dim=-1).tolist())
    for turn in request.get("chat", []):
        user = [{"role": "user", "content": turn["user"]}]
        prompt_text = tokenizer.apply_chat_template(user, tokenize=False, add_generation_prompt=True)
        full = tokenizer.apply_chat_template(
            user + [{"role": "assistant", "content": turn["assistant"]}],
            tokenize=True, return_dict=True, return_assistant_tokens_mask=True,
        )
        out["chat"].append({
            "prompt_text": prompt_text,
            "full_ids": full["input_ids"],
            "assistant_mask": full["assistant_masks"],
        })
    greedy = request.get("greedy")
    if greedy:
        ids = tokenizer(greedy["text"], return_tensors="pt").input_ids
        with torch.no_grad():
            generated = model.generate(ids, max_new_tokens=greedy["max_new_tokens"], do_sample=False)
        out["greedy"] = generated[0, ids.shape[1]:].tolist()
    with open(result_file, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
