# The two commands of the README's quick start, and a few helpers.
SHELL := /bin/bash
CLOUD ?= lab

.PHONY: lab lab-down test test-lab test-molecule lint sanity unit integration plan benchmarks

## Run the main job on the embedded default cloud (the local lab).
lab:
	bash scripts/lab.sh up $(CLOUD)

## Remove every container, network and volume the lab made.
lab-down:
	bash scripts/lab.sh down $(CLOUD)

## The test suite: lint, sanity, unit, integration, Molecule and lab tests (HELION_TEST_MOLECULE=0, HELION_TEST_LAB=0 leave one out).
test:
	bash scripts/test.sh all

lint:
	bash scripts/test.sh lint

sanity:
	bash scripts/test.sh sanity

unit:
	bash scripts/test.sh unit

integration:
	bash scripts/test.sh integration

## Write the network plan of a model (CLOUD=kvm-reference, esx-reference or lab).
plan:
	bash scripts/lab.sh plan $(CLOUD)

benchmarks:
	bash scripts/test.sh benchmarks

## The lab tests: a lab built for them, its deploy, the BMC and failure tests; the lab is removed after.
test-lab:
	bash scripts/test.sh lab

## The Molecule scenario control_plane (three controllers: converge, idempotence, check, verify).
test-molecule:
	bash scripts/test.sh molecule
