//! The syntax tree of every runbook and stdlib module, as a compact tree.

use runbook::source::FileId;
use runbook::syntax;

#[test]
fn runbooks_and_stdlib() {
    insta::glob!("../", "{runbooks,stdlib}/*.rb", |path| {
        let text = std::fs::read_to_string(path).expect("read");
        let ast =
            syntax::parse(&text, FileId(0)).unwrap_or_else(|e| panic!("{}: {e:?}", path.display()));
        insta::assert_snapshot!(syntax::tree::render(&ast));
    });
}
