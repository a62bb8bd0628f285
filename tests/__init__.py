"""The collection's tests: unit/, integration/, awx/, lab/, and peers/ (the real peers they start).

A package so that tests, benchmarks and the lab tests import the peers as ``tests.peers``: pytest.ini puts
the repository root on the import path, and benchmarks/run.sh runs the benchmarks with it on PYTHONPATH.
"""
