"""The playbook engine: SOPs as declarative playbook files, run by a pure decision core."""
