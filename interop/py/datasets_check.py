"""Read every row file of a `treecot build` folder with Hugging Face `datasets`.

usage: python datasets_check.py DATA_DIR RESULT.json

- every config of the folder's README.md (the Hub's YAML header): `load_dataset(DATA_DIR, name)`;
- every non-empty row file of manifest.json (JSONL, JSON, Parquet) with the plain loader
  (`load_dataset("json" | "parquet", data_files=FILE)`);
- `load_dataset(DATA_DIR)` with no name (the default config).
It reports row counts and features.
"""
import json
import shutil
import sys
import tempfile

import datasets
import pyarrow
from datasets import load_dataset
from huggingface_hub import DatasetCard


def describe(ds):
    return {"rows": ds.num_rows, "columns": ds.column_names, "features": {k: str(v) for k, v in ds.features.items()}}


def main():
    folder, result_file = sys.argv[1], sys.argv[2]
    # A fresh cache per check: `datasets` keys the cache of a local folder's configs by names that
    # repeat across build folders (a folder called `data`, config `paths_jsonl`), so a stale Arrow
    # cache from an earlier build was returned (72 rows for a 70-row paths.jsonl).
    cache = tempfile.mkdtemp(prefix="treecot-hf-datasets-")
    try:
        check(folder, result_file, cache)
    finally:
        shutil.rmtree(cache, ignore_errors=True)


def check(folder, result_file, cache):
    configs = DatasetCard.load(f"{folder}/README.md").data.to_dict()["configs"]
    with open(f"{folder}/manifest.json", encoding="utf-8") as f:
        manifest = json.load(f)
    out = {"versions": {"datasets": datasets.__version__, "pyarrow": pyarrow.__version__}, "configs": {}, "files": {}}
    for config in configs:
        name = config["config_name"]
        out["configs"][name] = {"path": config["data_files"][0]["path"], **describe(load_dataset(folder, name, split="train", cache_dir=cache))}
    for path, rows in manifest["files"].items():
        if rows and path.endswith((".jsonl", ".json", ".parquet")):
            builder = "parquet" if path.endswith(".parquet") else "json"
            out["files"][path] = describe(load_dataset(builder, data_files=f"{folder}/{path}", split="train", cache_dir=cache))
    out["default"] = describe(load_dataset(folder, split="train", cache_dir=cache))
    with open(result_file, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
