//! What asks for `approve dangerous`: words of warning in the text around a command, and
//! commands that destroy data or take a machine down, whatever the text says.

use std::sync::OnceLock;

use regex::Regex;

/// Whether the text warns of danger.
pub fn warns(text: &str) -> bool {
    let lower = text.to_lowercase();
    text.contains('⚠')
        || ["DANGER", "CAUTION", "WARNING", "DESTRUCTIVE"]
            .iter()
            .any(|w| text.contains(w))
        || [
            "data loss",
            "irreversible",
            "cannot be undone",
            "can not be undone",
            "destroys all data",
            "destroy all",
            "permanently delete",
            "production",
            "explicit approval",
        ]
        .iter()
        .any(|w| lower.contains(w))
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|_| unreachable!("a valid regex")))
}

/// The destructive operation in a command (its stdin included), if there is one.
pub fn destructive(command: &str) -> Option<&'static str> {
    static SHELL: OnceLock<Regex> = OnceLock::new();
    static SQL: OnceLock<Regex> = OnceLock::new();
    static DELETE: OnceLock<Regex> = OnceLock::new();
    let shell = re(
        &SHELL,
        r"(?x)
        (?P<rmrf>\brm\s+-[a-zA-Z]*[rR][a-zA-Z]*\b)
        |(?P<down>\bdown\b[^|;&]*\s(?:-v|--volumes)\b)
        |(?P<volrm>\bvolume\s+(?:rm|prune)\b)
        |(?P<reset>\bgit\s+reset\s+--hard\b)
        |(?P<clean>\bgit\s+clean\b)
        |(?P<dd>\bdd\b[^|;&]*\bof=)
        |(?P<mkfs>\bmkfs\b|\bwipefs\b)
        |(?P<force>\s--force\b)
        |(?P<prune>\bprune\b[^|;&]*\s(?:-a|--all)\b)
        |(?P<reboot>\b(?:reboot|poweroff|shutdown|halt)\b|sysrq-trigger)
        |(?P<yes>\s--yes\b)
        |(?P<kdelete>\b(?:kubectl|oc)\b[^|;&]*\sdelete\b)
        |(?P<dropdb>\bdropdb\b)
        ",
    );
    if let Some(c) = shell.captures(command) {
        let names = [
            ("rmrf", "rm -r"),
            ("down", "down -v (volumes)"),
            ("volrm", "volume rm"),
            ("reset", "git reset --hard"),
            ("clean", "git clean"),
            ("dd", "dd of="),
            ("mkfs", "mkfs"),
            ("force", "--force"),
            ("prune", "prune -a"),
            ("reboot", "a reboot"),
            ("yes", "--yes"),
            ("kdelete", "a delete"),
            ("dropdb", "dropdb"),
        ];
        return names
            .iter()
            .find(|(group, _)| c.name(group).is_some())
            .map(|(_, what)| *what);
    }
    let sql = re(
        &SQL,
        r"(?i)\b(?:drop\s+(?:database|table|schema|index|user|role|view)|truncate)\b",
    );
    if sql.is_match(command) {
        return Some("DROP or TRUNCATE");
    }
    // DELETE with no WHERE before its end (`;`, a quote or the end of the text).
    let delete = re(&DELETE, r#"(?i)\bdelete\s+from\s+[^;'"]*"#);
    if delete
        .find_iter(command)
        .any(|m| !m.as_str().to_lowercase().contains(" where "))
    {
        return Some("DELETE without WHERE");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operations_that_destroy_are_found() {
        for (command, what) in [
            ("docker compose down -v", "down -v (volumes)"),
            ("docker volume rm stack_cache", "volume rm"),
            ("git reset --hard origin/main", "git reset --hard"),
            ("git clean -fdx", "git clean"),
            ("psql -c \"DROP DATABASE scratch;\"", "DROP or TRUNCATE"),
            ("TRUNCATE sessions;", "DROP or TRUNCATE"),
            ("DELETE FROM audit_log;", "DELETE without WHERE"),
            ("sh -c 'rm -rf /data/*'", "rm -r"),
            ("dd if=/dev/zero of=/dev/sdb", "dd of="),
            ("docker system prune -a", "prune -a"),
            ("sudo reboot", "a reboot"),
            ("kubectl -n x delete pod y", "a delete"),
        ] {
            assert_eq!(destructive(command), Some(what), "{command}");
        }
        for safe in [
            "DELETE FROM audit_log WHERE at < now() - interval '90 days';",
            "docker compose up -d",
            "git checkout main",
            "docker compose down",
        ] {
            assert_eq!(destructive(safe), None, "{safe}");
        }
        assert!(warns("⚠️ CAUTION: Data loss!"));
        assert!(warns("this cannot be undone"));
        assert!(!warns("Restart the service"));
    }
}
