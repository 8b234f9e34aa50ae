#[test]
fn scratch() {
    for f in ["runbooks/hello.rb", "runbooks/deploy.rb", "stdlib/http.rb", "stdlib/git.rb", "stdlib/compose.rb"] {
        let text = std::fs::read_to_string(f).unwrap();
        match runbook::syntax::parse(&text, runbook::source::FileId(0)) {
            Ok(ast) => println!("{}", runbook::syntax::tree::render(&ast)),
            Err(e) => println!("{f}: {e:?}"),
        }
    }
}
