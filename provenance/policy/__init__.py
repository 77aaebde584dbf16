"""What a user or a repository asks of the tool: declared options and their values (`options`), the policy file
(`config`), fail-on expressions (`failon`), licensed sources (`allowlist`), and the policy applied to audited
articles (`evaluate`)."""
