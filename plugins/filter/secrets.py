# -*- coding: utf-8 -*-
# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: secrets_missing
short_description: Generate the secrets a cloud declares and its vault does not hold yet
version_added: 0.2.0
description:
  - Takes the secret declarations of the roles (C(<role>_secrets)) and the secrets the vault already
    holds, and returns newly generated values for the declared names that are missing. Existing values
    are never returned, so they are never replaced.
  - Values come from Python's C(secrets) module (the operating system's random source).
options:
  _input:
    description:
      - The declarations. Each has C(name); C(kind) (C(password), letters and digits, the default;
        C(hex); C(cookie), upper-case letters, for the Erlang cookie; C(fernet), a list of C(count) Fernet
        keys); C(length) (default 24, for C(cookie) 32); C(count) (C(fernet) only, default 2).
    type: list
    elements: dict
    required: true
  current:
    description: The secrets the vault holds, by name.
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Generate the missing secrets
  ansible.builtin.set_fact:
    _secrets_new: "{{ keystone_secrets | helion.openstack.secrets_missing(_secrets_current) }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: The new secrets, by name (empty when the vault has them all).
  type: dict
"""

import base64
import glob
import os
import re
import secrets
import string

import yaml

from ansible.errors import AnsibleFilterError

KINDS = {
    "password": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "cookie": string.ascii_uppercase,
}
DEFAULT_LENGTH = {"password": 24, "hex": 24, "cookie": 32}
NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


class SecretDeclarationError(ValueError):
    """A role's secret declaration cannot be used."""


def fernet_key():
    """A Fernet key as cryptography and Keystone expect: 32 random bytes, URL-safe base64."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode("ascii")


def check_declaration(decl):
    if not isinstance(decl, dict) or not isinstance(decl.get("name"), str) or not NAME.match(decl["name"]):
        raise SecretDeclarationError(
            "%r: each secret declaration needs a 'name' of lower-case letters, digits and '_' "
            "(for example {name: vault_glance_db_password})" % (decl,))
    kind = decl.get("kind", "password")
    if kind not in KINDS and kind != "fernet":
        raise SecretDeclarationError(
            "%s: unknown kind %r; use one of password, hex, cookie, fernet" % (decl["name"], kind))
    for key in ("length", "count"):
        if key in decl and (not isinstance(decl[key], int) or isinstance(decl[key], bool) or decl[key] < 1):
            raise SecretDeclarationError("%s: %s must be a whole number of at least 1, not %r"
                                         % (decl["name"], key, decl[key]))
    return kind


def generate(decl):
    kind = check_declaration(decl)
    if kind == "fernet":
        return [fernet_key() for _key in range(decl.get("count", 2))]
    length = decl.get("length", DEFAULT_LENGTH[kind])
    alphabet = KINDS[kind]
    return "".join(secrets.choice(alphabet) for _char in range(length))


def missing_secrets(declarations, current):
    """New values for the declared names that ``current`` lacks. Declarations may repeat a name
    (two roles sharing a secret) only with the same kind."""
    seen = {}
    out = {}
    for decl in declarations or []:
        kind = check_declaration(decl)
        name = decl["name"]
        if name in seen and seen[name] != kind:
            raise SecretDeclarationError("%s is declared twice, as %s and as %s: give one of them another name"
                                         % (name, seen[name], kind))
        seen[name] = kind
        if name not in (current or {}) and name not in out:
            out[name] = generate(decl)
    return out


def declared_secrets(paths):
    """The secret declarations of the roles whose ``defaults/main.yml`` files are given (or of every
    role of a roles directory, given as a string): every top-level ``<role>_secrets`` list."""
    if isinstance(paths, str):
        paths = glob.glob(os.path.join(paths, "*", "defaults", "main.yml"))
    out = []
    for path in sorted(paths or []):
        with open(path) as f:
            defaults = yaml.safe_load(f) or {}
        if not isinstance(defaults, dict):
            raise SecretDeclarationError("%s: a role's defaults must be a mapping" % path)
        for key, value in defaults.items():
            if not str(key).endswith("_secrets"):
                continue
            if not isinstance(value, list):
                raise SecretDeclarationError("%s: %s must be a list of secret declarations" % (path, key))
            for decl in value:
                check_declaration(decl)
                out.append(dict(decl))
    return out


def role_secrets(paths):
    try:
        return declared_secrets(paths)
    except SecretDeclarationError as exc:
        raise AnsibleFilterError("role_secrets: %s" % exc)
    except (OSError, yaml.YAMLError) as exc:
        raise AnsibleFilterError("role_secrets: cannot read a role's defaults: %s" % exc)


def secrets_missing(declarations, current):
    try:
        return missing_secrets(declarations, current)
    except SecretDeclarationError as exc:
        raise AnsibleFilterError("secrets_missing: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"secrets_missing": secrets_missing, "role_secrets": role_secrets}
