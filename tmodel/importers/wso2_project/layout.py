"""Finding an apictl API project on disk: the 4.x layout (api.yaml or api.json with
Definitions/swagger.yaml) or the 3.x one (Meta-information/), a standalone api.yaml passed as a file,
the definition beside it, and the project's other files (listed, not read)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from tmodel.problems import Problem, ProblemError

LAYOUT_HINT = ("an apictl API project holds api.yaml (or api.json) and Definitions/swagger.yaml (API Manager 4.x), "
               "or Meta-information/api.yaml and Meta-information/swagger.yaml (3.x); pass that folder or its api.yaml")

API_FILES = ("api.yaml", "api.yml", "api.json")
DEFINITION_FILES = ("swagger.yaml", "swagger.yml", "swagger.json", "openapi.yaml", "openapi.yml", "openapi.json")

# project files besides api.yaml and the definition, and why they matter
EXTRAS = {
    "api_params.yaml": "per-environment overrides of endpoints, endpoint security, certificates and deployments, applied "
                       "by apictl at import; the model reflects api.yaml only",
    "api_meta.yaml": "apictl import options",
    "deployment_environments.yaml": "the gateway environments the revision is deployed to",
    "Client-certificates": "client certificates trusted for mutual TLS on this API; review who they belong to",
    "Endpoint-certificates": "certificates trusted for the backend's TLS",
    "Policies": "operation policy definitions; review what they do",
    "Sequences": "custom mediation sequences; review what they do",
    "Interceptors": "request/response interceptor services",
    "libs": "custom mediation libraries (Java): review them",
    "WSDL": "the SOAP definition",
    "Docs": "API documentation",
}


@dataclass
class Project:
    """Where the project's files are and how to name them in sources."""

    source: str  # the path as the user gave it
    api_path: str  # the api.yaml on disk
    api_label: str  # how sources name it: '<project as given>/api.yaml'
    layout: str  # '4.x' or '3.x'
    definition_path: str | None = None
    definition_label: str | None = None
    extras: list[str] = field(default_factory=list)  # project files and folders that are not read


def _label(given: str, *parts: str) -> str:
    return os.path.normpath(os.path.join(given, *parts))


def _find(folder: str, names: tuple[str, ...]) -> str | None:
    for n in names:
        if os.path.isfile(os.path.join(folder, n)):
            return n
    return None


def _within(file: str, folder: str) -> bool:
    """Whether ``file``, symlinks followed, is inside ``folder`` (symlinks followed too)."""
    root = os.path.realpath(folder)
    return os.path.commonpath([root, os.path.realpath(file)]) == root


def locate(path: str) -> Project:
    """The project behind ``path`` (a project folder, or an api.yaml / api.json file)."""

    def refuse(message: str, hint: str = LAYOUT_HINT) -> ProblemError:
        return ProblemError([Problem(path, 0, 0, message, hint)])

    given = path.rstrip("/\\") or path
    if not os.path.exists(path):
        raise refuse("no such file or folder", "check the path; " + LAYOUT_HINT)
    if os.path.isdir(path):
        name = _find(path, API_FILES)
        if name:
            project = Project(path, os.path.join(path, name), _label(given, name), "4.x")
            base, base_label = path, given
            def_folder = os.path.join(path, "Definitions")
            def_label = _label(given, "Definitions")
        elif os.path.isdir(os.path.join(path, "Meta-information")) and (
                name := _find(os.path.join(path, "Meta-information"), API_FILES)):
            meta = os.path.join(path, "Meta-information")
            project = Project(path, os.path.join(meta, name), _label(given, "Meta-information", name), "3.x")
            base, base_label = path, given
            def_folder, def_label = meta, _label(given, "Meta-information")
        else:
            subs = sorted(d for d in os.listdir(path) if os.path.isdir(os.path.join(path, d))
                          and (_find(os.path.join(path, d), API_FILES)
                               or _find(os.path.join(path, d, "Meta-information"), API_FILES)))
            others = sorted(f for f in os.listdir(path) if f.endswith((".yaml", ".yml", ".json"))
                            and os.path.isfile(os.path.join(path, f)))
            hint = LAYOUT_HINT
            if subs:
                hint = "this folder holds API projects: " + ", ".join(s + "/" for s in subs[:8]) + "; pass one of them"
            elif others:
                hint = ("pass the api.yaml file itself if one of these is an apictl api.yaml: " + ", ".join(others[:8])
                        + "; " + LAYOUT_HINT)
            raise refuse("this folder is not an apictl API project: no api.yaml, api.json or Meta-information/api.yaml in it",
                         hint)
    else:
        folder = os.path.dirname(path) or "."
        base_label = os.path.dirname(given)
        in_meta = os.path.basename(os.path.normpath(os.path.abspath(folder))) == "Meta-information"
        project = Project(path, path, os.path.normpath(given), "3.x" if in_meta else "4.x")
        if in_meta:
            base, def_folder, def_label = os.path.dirname(os.path.abspath(folder)), folder, base_label or "."
            base_label = os.path.dirname(base_label) if base_label else ""
        else:
            base, def_folder, def_label = folder, os.path.join(folder, "Definitions"), _label(base_label or ".", "Definitions")
        if os.path.basename(path) not in API_FILES:
            # a standalone api.yaml under another name (e.g. sample-api.yaml) has no definition of its own
            def_folder = None
    if os.path.isdir(path) and not _within(project.api_path, path):
        raise refuse(f"{project.api_label} is a link to a file outside the project ({os.path.realpath(project.api_path)}); "
                     "it was not read", "copy the real file into the project; links out of an input are never followed")
    if def_folder and os.path.isdir(def_folder):
        dname = _find(def_folder, DEFINITION_FILES)
        if dname and not _within(os.path.join(def_folder, dname), base):
            project.extras.append(f"{_label(def_label, dname)}: not read (a link to a file outside the project; "
                                  "links out of an input are never followed)")
        elif dname:
            project.definition_path = os.path.join(def_folder, dname)
            project.definition_label = _label(def_label, dname)
        else:
            others = sorted(os.listdir(def_folder))
            if others:
                project.extras.append(f"{_label(def_label, '')}/: {', '.join(others[:6])}: not read (no swagger.yaml or "
                                      "swagger.json; a GraphQL, AsyncAPI or WSDL definition is not read)")
    if os.path.isdir(path) or os.path.basename(path) in API_FILES:
        for extra, why in EXTRAS.items():
            if os.path.exists(os.path.join(base, extra)):
                project.extras.append(f"{_label(base_label or '.', extra)}: not read ({why})")
    return project
