# Copyright (c) 2026 helion.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print, as JSON, what Keystone holds of the default domain's projects and users, the roles, the services,
the endpoints and the role assignments on projects: one read for register.yml, which then creates only what
is missing (helion.openstack.keystone_register_todo). Read only. Its input, on standard input (the admin
password never goes on a command line): {"auth": {auth_url, username, password, project_name,
user_domain_id, project_domain_id}, "interface", "region_name", "users": [names], "projects": [names]}."""

from __future__ import absolute_import, division, print_function

import json
import sys

import openstack


def main():
    # Only the declaration's users and projects are looked up, however many the cloud has.
    wanted = json.load(sys.stdin)
    ident = openstack.connect(auth=wanted["auth"], interface=wanted.get("interface"),
                              region_name=wanted.get("region_name"), identity_api_version="3").identity
    roles = dict((r.id, r.name) for r in ident.roles())
    users = [u for u in (ident.find_user(name, domain_id="default") for name in wanted.get("users") or []) if u]
    found = [ident.find_project(name, domain_id="default") for name in wanted.get("projects") or []]
    projects = dict((p.id, p) for p in found if p)
    for user in users:
        if user.default_project_id and user.default_project_id not in projects:
            project = ident.find_project(user.default_project_id)
            if project:
                projects[project.id] = project
    assignments = []
    for user in users:
        for grant in ident.role_assignments(user_id=user.id):
            project = ((grant.scope or {}).get("project") or {}).get("id")
            role = (grant.role or {}).get("id")
            if project and role in roles:
                if project not in projects:
                    projects[project] = ident.get_project(project)
                assignments.append({"user": user.name, "role": roles[role], "project": projects[project].name})
    json.dump({
        "projects": [{"name": p.name, "description": p.description} for p in projects.values()],
        "roles": sorted(roles.values()),
        "services": [{"id": s.id, "name": s.name, "type": s.type, "description": s.description}
                     for s in ident.services()],
        "endpoints": [{"service_id": e.service_id, "interface": e.interface, "region": e.region_id, "url": e.url}
                      for e in ident.endpoints()],
        "users": [{"name": u.name, "default_project": getattr(projects.get(u.default_project_id), "name", None)}
                  for u in users],
        "assignments": assignments,
    }, sys.stdout)


if __name__ == "__main__":
    main()
