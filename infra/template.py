"""The infrastructure template (infra/template.json), read and resolved for one stage:
what `make package` and the local stack both build from, so that neither repeats a
table, queue or name. Pure Python; imports nothing from devstack/."""
from __future__ import annotations

import json
import re
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "template.json"


def load_template(path: Path = TEMPLATE) -> dict:
    return json.loads(path.read_text("utf-8"))


class Resolver:
    def __init__(self, template: dict, stage: str, region: str, account: str = "123456789012"):
        self.template = template
        defaults = {k: v.get("Default") for k, v in template.get("Parameters", {}).items()}
        self.params = {**defaults, "Stage": stage, "AWS::Region": region, "AWS::AccountId": account,
                       "AWS::StackName": f"acikkapi-{stage}", "AWS::Partition": "aws",
                       "AWS::URLSuffix": "amazonaws.com"}
        self.physical: dict[str, dict] = {}  # logical id -> {"Ref": ..., attr: ...}

    def condition(self, name: str) -> bool:
        return bool(self.value(self.template.get("Conditions", {})[name]))

    def value(self, v):
        if isinstance(v, dict) and len(v) == 1:
            (fn, arg), = v.items()
            if fn == "Ref":
                return self.params[arg] if arg in self.params else self.physical[arg]["Ref"]
            if fn == "Fn::Sub":
                text, local = (arg, {}) if isinstance(arg, str) else (arg[0], self.value(arg[1]))

                def one(m):
                    name = m.group(1)
                    if name in local:
                        return str(local[name])
                    if name in self.params:
                        return str(self.params[name])
                    logical, _, attr = name.partition(".")
                    if logical in self.physical:
                        return str(self.physical[logical][attr or "Ref"])
                    raise KeyError(text)  # refers to something this stack does not have
                return re.sub(r"\$\{([^!}][^}]*)\}", one, text).replace("${!", "${")
            if fn == "Fn::Join":
                sep, parts = arg
                return sep.join(str(self.value(p)) for p in parts)
            if fn == "Fn::Select":
                index, items = arg
                return self.value(items)[int(self.value(index))]
            if fn == "Fn::Split":
                sep, text = arg
                return str(self.value(text)).split(sep)
            if fn == "Fn::GetAtt":
                logical, attr = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.physical[logical][attr]
            if fn == "Fn::Not":
                return not self.value(arg[0])
            if fn == "Fn::If":
                cond, yes, no = arg
                return self.value(yes if self.condition(cond) else no)
            if fn == "Fn::Equals":
                return self.value(arg[0]) == self.value(arg[1])
        if isinstance(v, dict):
            return {k: self.value(x) for k, x in v.items()}
        if isinstance(v, list):
            return [self.value(x) for x in v]
        return v
