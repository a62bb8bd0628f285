"""AWX / Automation Controller readiness: the collection as a built artifact, run through ansible-runner, and the
execution environment's build context (ansible-builder)."""
