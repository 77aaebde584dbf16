"""The plugin host: built-in plugins, third-party entry points (group `provenance`), switches and attribution.

Built-in components are registered through the same hooks a third-party plugin implements; the host calls each
plugin's hook implementation with its own `register` callback, so every component is known by the plugin that
provided it, duplicate names are refused naming both plugins, and a failing plugin is named in the error.

Switches: PROVENANCE_LOAD_PLUGINS (unset: every installed plugin; empty: none; `a,b`: only those, by entry-point or
distribution name), `disabled` (component or plugin names, from `--disable`), PROVENANCE_TRACE_PLUGINS=1 (hook calls
on stderr).
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pluggy

from provenance import hookspecs
from provenance.components import missing_members
from provenance.errors import PluginError, UsageError

if TYPE_CHECKING:
    from importlib import metadata

ENTRY_POINT_GROUP = "provenance"
KINDS = ("detectors", "extractors", "renderers", "index_backends", "scorers")

DISTRIBUTION = "text-provenance"

# The built-in plugins by name, as this distribution's entry points in the `provenance` group (pyproject.toml) declare
# them (tests/test_plugins.py holds the two equal). Known by name, a run that loads no third-party plugin never imports
# importlib.metadata nor reads the installed distributions: about 15 ms of a cold `compare` (docs/performance.md).
BUILTIN_PLUGINS: tuple[tuple[str, str], ...] = (
    ("commentary", "provenance.detectors.commentary"),
    ("copy", "provenance.detectors.copy"),
    ("github-report", "provenance.renderers.github"),
    ("html", "provenance.text.extractors.html"),
    ("html-report", "provenance.renderers.html"),
    ("json-report", "provenance.renderers.json"),
    ("jsonl-report", "provenance.renderers.jsonl"),
    ("markdown", "provenance.text.extractors.markdown"),
    ("markdown-report", "provenance.renderers.markdown"),
    ("redis-index", "provenance.index.redis.store"),
    ("rewrite", "provenance.detectors.rewrite"),
    ("sarif-report", "provenance.renderers.sarif"),
    ("sqlite-index", "provenance.index.sqlite.store"),
    ("text", "provenance.text.extractors.plaintext"),
    ("text-report", "provenance.renderers.text"),
)


def builtin_entry_points() -> list[metadata.EntryPoint]:
    """This distribution's entry points in the `provenance` group, by name (BUILTIN_PLUGINS lists the same)."""
    from importlib import metadata

    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise PluginError(
            f"{DISTRIBUTION} is not installed, so its built-in plugins cannot be listed (its entry "
            "points name them): install it with `pip install .`"
        ) from None
    return sorted((ep for ep in dist.entry_points if ep.group == ENTRY_POINT_GROUP), key=lambda ep: ep.name)


@dataclass(slots=True)
class PluginInfo:
    name: str
    builtin: bool
    module: str
    distribution: str | None = None
    version: str | None = None
    hooks: list[str] = field(default_factory=list)
    components: dict[str, list[str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "builtin": self.builtin,
            "module": self.module,
            "distribution": self.distribution,
            "version": self.version,
            "hooks": sorted(self.hooks),
            "components": {k: sorted(v) for k, v in sorted(self.components.items())},
        }


class PluginHost:
    """Loads plugins once and holds their components by kind and name."""

    def __init__(
        self, *, disabled: Iterable[str] = (), entry_points: bool = True, extra_plugins: Iterable[Any] = ()
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.disabled = {d.strip() for d in disabled if d.strip()}
        self.info: dict[str, PluginInfo] = {}
        self.components: dict[str, dict[str, Any]] = {k: {} for k in KINDS}
        self.owner: dict[tuple[str, str], str] = {}
        self.skipped: set[str] = set()
        self.tracing = bool(os.environ.get("PROVENANCE_TRACE_PLUGINS"))
        for name, module in BUILTIN_PLUGINS:
            self._register(importlib.import_module(module), name, builtin=True)
        if entry_points:
            self._load_entry_points(set(BUILTIN_PLUGINS))
        for i, plugin in enumerate(extra_plugins):
            pname = getattr(plugin, "__name__", None) or f"plugin-{i}"
            self._register(plugin, pname, builtin=False)
        self._collect()
        unknown = self.disabled - set(self.info) - self.skipped - {name for (_, name) in self.owner}
        if unknown:
            raise UsageError(f"--disable: no plugin or component named {', '.join(sorted(unknown))}")

    # Loading -------------------------------------------------------------------------------------------------

    def _register(
        self, plugin: Any, name: str, *, builtin: bool, dist: metadata.Distribution | None = None
    ) -> None:
        wanted = getattr(plugin, "PROVENANCE_PLUGIN_API", None)
        if wanted is not None and str(wanted).split(".")[0] != hookspecs.PLUGIN_API_VERSION.split(".")[0]:
            raise PluginError(
                f"plugin {name!r} is built for plugin API {wanted}, but this text-provenance provides "
                f"{hookspecs.PLUGIN_API_VERSION}; upgrade one of them, or switch it off with "
                f"PROVENANCE_LOAD_PLUGINS or --disable {name}",
                plugin=name,
            )
        try:
            self.pm.register(plugin, name=name)
            self.pm.check_pending()
        except (ValueError, pluggy.PluginValidationError) as exc:
            with contextlib.suppress(ValueError, AssertionError):  # half-registered: nothing to undo
                self.pm.unregister(name=name)
            raise PluginError(f"plugin {name!r} cannot be registered: {exc}", plugin=name) from exc
        self.info[name] = PluginInfo(
            name=name,
            builtin=builtin,
            module=getattr(plugin, "__name__", type(plugin).__name__),
            distribution=dist.metadata["Name"]
            if dist is not None
            else ("text-provenance" if builtin else None),
            version=dist.version if dist is not None else (_own_version() if builtin else None),
            hooks=[impl.name for impl in self._hookimpls_of(plugin)],
        )

    def _hookimpls_of(self, plugin: Any) -> list[Any]:
        return [hc for hc in (self.pm.get_hookcallers(plugin) or [])]

    def _load_entry_points(self, builtins: set[tuple[str, str]]) -> None:
        """The installed third-party plugins (all, or those PROVENANCE_LOAD_PLUGINS names)."""
        wanted_env = os.environ.get("PROVENANCE_LOAD_PLUGINS")
        wanted = None if wanted_env is None else {w.strip() for w in wanted_env.split(",") if w.strip()}
        if wanted is not None and not wanted:
            return  # set and empty: none is loaded, so the installed ones need not be listed (about 10 ms of a cold start)
        from importlib import metadata

        points = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name)
        if wanted:
            _refuse_unknown(wanted, points)
        for ep in points:
            if (ep.name, ep.value) in builtins:
                continue  # registered above (telling by name and target spares reading each one's metadata)
            dist = getattr(ep, "dist", None)
            dist_name = dist.metadata["Name"] if dist is not None else None
            if dist_name == DISTRIBUTION:
                continue  # a built-in: already registered above
            if wanted is not None and ep.name not in wanted and dist_name not in wanted:
                continue
            if ep.name in self.disabled or (dist_name and dist_name in self.disabled):
                self.skipped.update({ep.name, dist_name or ep.name})
                continue
            if ep.name in self.info:
                other = self.info[ep.name]
                raise PluginError(
                    f"plugin name {ep.name!r} from {dist_name or ep.value} is already used by "
                    f"{other.distribution or other.module}",
                    plugin=ep.name,
                )
            try:
                plugin = ep.load()
            except Exception as exc:  # any import-time failure in third-party code
                raise PluginError(
                    f"error importing plugin {ep.name!r} ({ep.value}): {type(exc).__name__}: {exc} "
                    f"(switch it off with --disable {ep.name} or PROVENANCE_LOAD_PLUGINS, or uninstall "
                    f"{dist_name or 'it'})",
                    plugin=ep.name,
                ) from exc
            self._register(plugin, ep.name, builtin=False, dist=dist)

    def _collect(self) -> None:
        for kind in KINDS:
            hook = getattr(self.pm.hook, f"register_{kind}")
            for impl in hook.get_hookimpls():  # registration order: built-ins first
                pname = impl.plugin_name
                if pname in self.disabled:
                    continue

                def register(component: Any, _kind: str = kind, _plugin: str = pname) -> None:
                    self._add(_kind, component, _plugin)

                self.trace(f"hook register_{kind}: plugin {pname}")
                try:
                    impl.function(register=register)
                except PluginError:
                    raise
                except Exception as exc:
                    raise PluginError(
                        f"plugin {pname!r} failed in register_{kind}: {type(exc).__name__}: {exc}",
                        plugin=pname,
                    ) from exc

    def trace(self, message: str) -> None:
        """With PROVENANCE_TRACE_PLUGINS=1, one line per hook call and component call on stderr."""
        if self.tracing:
            sys.stderr.write(f"provenance trace: {message}\n")

    def _add(self, kind: str, component: Any, plugin: str) -> None:
        missing = missing_members(kind, component)
        if missing:
            raise PluginError(
                f"plugin {plugin!r} registered a {kind[:-1]} without {', '.join(missing)}", plugin=plugin
            )
        if kind == "scorers" and "threshold" not in (getattr(component, "options", None) or {}):
            raise PluginError(
                f"plugin {plugin!r} registered a scorer without a `threshold` option: the core needs "
                "the calibrated score from which its signal counts (docs/plugins/hooks.md)",
                plugin=plugin,
            )
        name = str(component.name)
        if (kind, name) in self.owner:
            raise PluginError(
                f"{kind[:-1]} name {name!r} from plugin {plugin!r} is already registered by plugin "
                f"{self.owner[(kind, name)]!r}",
                plugin=plugin,
            )
        self.owner[(kind, name)] = plugin
        self.trace(f"  registered {kind[:-1]} {name!r}")
        self.info[plugin].components.setdefault(kind, []).append(name)
        if name in self.disabled:
            return
        self.components[kind][name] = component

    # Lookup --------------------------------------------------------------------------------------------------

    def detectors(self) -> list[tuple[str, Any]]:
        return [(self.owner[("detectors", n)], c) for n, c in self.components["detectors"].items()]

    def scorers(self) -> list[tuple[str, Any]]:
        """Enabled similarity scorers with the plugin that provided each, in registration order."""
        return [(self.owner[("scorers", n)], c) for n, c in self.components["scorers"].items()]

    def _named(self, kind: str, name: str, what: str) -> Any:
        try:
            return self.components[kind][name]
        except KeyError:
            known = ", ".join(sorted(self.components[kind]))
            raise UsageError(f"unknown {what} {name!r}; available: {known}") from None

    def extractor(self, name: str) -> Any:
        return self._named("extractors", name, "input format")

    def extractors(self) -> dict[str, Any]:
        return dict(self.components["extractors"])

    def renderer(self, name: str) -> Any:
        return self._named("renderers", name, "report format")

    def renderers(self) -> dict[str, Any]:
        return dict(self.components["renderers"])

    def plugin_of(self, kind: str, name: str) -> str:
        return self.owner[(kind, name)]


def _own_version() -> str:
    from provenance._version import __version__

    return __version__


_DEFAULT: dict[tuple, PluginHost] = {}


def get_host(disabled: Iterable[str] = ()) -> PluginHost:
    """A cached host per set of disabled names and plugin switch, so repeated compare() calls load plugins once."""
    key = (tuple(sorted(disabled)), os.environ.get("PROVENANCE_LOAD_PLUGINS"))
    host = _DEFAULT.get(key)
    if host is None:
        host = _DEFAULT[key] = PluginHost(disabled=disabled)
    return host


def _refuse_unknown(wanted: set[str], points: Iterable[Any]) -> None:
    """A name in PROVENANCE_LOAD_PLUGINS that no installed plugin has is a usage error naming it: a typo
    (`ATTRIBUTION`) would otherwise load nothing without a word."""
    known: set[str] = set()
    for ep in points:
        dist = getattr(ep, "dist", None)
        known |= {ep.name} | ({dist.metadata["Name"]} if dist is not None else set())
    unknown = sorted(wanted - known)
    if unknown:
        import difflib

        close = difflib.get_close_matches(unknown[0].lower(), sorted(known), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise UsageError(
            f"PROVENANCE_LOAD_PLUGINS names {unknown[0]!r}, which no installed plugin is called{hint}; "
            f"installed: {', '.join(sorted(known))}"
        )
