use std::collections::HashMap;
use std::path::Path;

use super::*;

fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    move |k| map.get(k).cloned()
}

fn flags_with_config(path: &Path) -> Flags {
    Flags {
        config: Some(path.to_owned()),
        ..Flags::default()
    }
}

fn load_toml(text: &str) -> Result<Config, ConfigError> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("portcullis.toml");
    std::fs::write(&path, text).unwrap();
    load_with(&flags_with_config(&path), &env(&[]))
}

#[test]
fn defaults_without_any_setting() {
    let c = load_with(&Flags::default(), &env(&[])).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:4000");
    assert_eq!(c.public_url, None);
    assert_eq!(c.data_dir, PathBuf::from("./portcullis-data"));
    assert!(!c.database.is_postgres());
    assert!(matches!(c.tls, TlsMode::Off));
    assert_eq!(c.log_format, LogFormat::Pretty);
    assert_eq!(c.http.body_limit, 65_536);
    assert_eq!(c.keys.algorithm, Algorithm::Rs256);
    assert_eq!(c.keys.jwks_max_age, 300);
    match c.master_key {
        MasterKeySource::File { path, generate } => {
            assert_eq!(path, PathBuf::from("./portcullis-data/master.key"));
            assert!(generate);
        }
        MasterKeySource::Given(_) => panic!("expected the data-dir file"),
    }
}

#[test]
fn flag_beats_env_beats_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(
        &path,
        "listen = \"127.0.0.1:1111\"\npublic_url = \"https://file.example\"\n",
    )
    .unwrap();
    let e = env(&[("PORTCULLIS_LISTEN", "127.0.0.1:2222")]);
    let c = load_with(&flags_with_config(&path), &e).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:2222");
    assert_eq!(c.public_url.unwrap().as_str(), "https://file.example/");
    let mut f = flags_with_config(&path);
    f.listen = Some("127.0.0.1:3333".into());
    let c = load_with(&f, &e).unwrap();
    assert_eq!(c.listen.to_string(), "127.0.0.1:3333");
    assert_eq!(c.file, Some(path));
}

#[test]
fn unknown_key_in_file_names_key_and_line() {
    let err = load_toml("listen = \"127.0.0.1:4000\"\nlisen = \"x\"\n").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("portcullis.toml: line 2: unknown field `lisen`"),
        "{msg}"
    );
    assert!(!msg.contains('\n'), "{msg}");
}

#[test]
fn unknown_key_in_section() {
    let msg = load_toml("[http]\nbody_limt = 5\n")
        .unwrap_err()
        .to_string();
    assert!(msg.contains("line 2: unknown field `body_limt`"), "{msg}");
}

#[test]
fn bad_values_name_setting_and_source() {
    let msg = load_toml("listen = \"nope\"\n").unwrap_err().to_string();
    assert!(msg.starts_with("invalid listen address (from "), "{msg}");
    assert!(
        msg.ends_with("`nope` is not HOST:PORT, e.g. 127.0.0.1:4000"),
        "{msg}"
    );

    let e = env(&[("PORTCULLIS_LISTEN", "localhost")]);
    let msg = load_with(&Flags::default(), &e).unwrap_err().to_string();
    assert_eq!(
        msg,
        "invalid listen address (from PORTCULLIS_LISTEN): `localhost` is not HOST:PORT, e.g. 127.0.0.1:4000"
    );

    let f = Flags {
        public_url: Some("id.example.com".into()),
        ..Flags::default()
    };
    let msg = load_with(&f, &env(&[])).unwrap_err().to_string();
    assert!(
        msg.starts_with(
            "invalid public URL (from --public-url): `id.example.com` is not an absolute URL"
        ),
        "{msg}"
    );

    let e = env(&[("PORTCULLIS_HTTP_BODY_LIMIT", "lots")]);
    let msg = load_with(&Flags::default(), &e).unwrap_err().to_string();
    assert_eq!(
        msg,
        "invalid http.body_limit (from PORTCULLIS_HTTP_BODY_LIMIT): `lots` is not a whole number"
    );

    let msg = load_toml("[http]\nbody_limit = 10\n")
        .unwrap_err()
        .to_string();
    assert!(msg.starts_with("invalid http.body_limit (from "), "{msg}");
    assert!(msg.ends_with("10 is out of range 1024..=67108864"), "{msg}");

    let msg = load_toml("log_format = \"xml\"\n").unwrap_err().to_string();
    assert!(msg.ends_with("`xml` is not one of: pretty, json"), "{msg}");

    let msg = load_toml("[keys]\nalgorithm = \"HS256\"\n")
        .unwrap_err()
        .to_string();
    assert!(
        msg.ends_with("`HS256` is not one of: RS256, ES256, EdDSA"),
        "{msg}"
    );

    let f = Flags {
        database_url: Some("mysql://localhost/x".into()),
        ..Flags::default()
    };
    let msg = load_with(&f, &env(&[])).unwrap_err().to_string();
    assert!(
        msg.starts_with("invalid database URL (from --database-url): "),
        "{msg}"
    );
}

#[test]
fn wrong_type_in_file_is_an_error() {
    let msg = load_toml("[http]\nbody_limit = \"big\"\n")
        .unwrap_err()
        .to_string();
    assert!(msg.contains("line 2"), "{msg}");
}

#[test]
fn master_key_error_never_echoes_the_secret() {
    let e = env(&[("PORTCULLIS_MASTER_KEY", "s3cr3t-but-too-short")]);
    let msg = load_with(&Flags::default(), &e).unwrap_err().to_string();
    assert!(
        msg.starts_with("invalid master key (from PORTCULLIS_MASTER_KEY): "),
        "{msg}"
    );
    assert!(!msg.contains("s3cr3t"), "{msg}");
}

#[test]
fn valid_master_key_from_env() {
    let e = env(&[(
        "PORTCULLIS_MASTER_KEY",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    )]);
    let c = load_with(&Flags::default(), &e).unwrap();
    assert!(matches!(c.master_key, MasterKeySource::Given(_)));
}

#[test]
fn tls_settings_must_be_complete_and_exclusive() {
    let f = Flags {
        tls_cert: Some("c.pem".into()),
        ..Flags::default()
    };
    let msg = load_with(&f, &env(&[])).unwrap_err().to_string();
    assert_eq!(
        msg,
        "invalid TLS settings (from --tls-cert): a certificate needs a key (--tls-key)"
    );
    let f = Flags {
        tls_cert: Some("c.pem".into()),
        tls_key: Some("k.pem".into()),
        tls_self_signed: true,
        ..Flags::default()
    };
    assert!(load_with(&f, &env(&[])).is_err());
    let f = Flags {
        tls_self_signed: true,
        ..Flags::default()
    };
    assert!(matches!(
        load_with(&f, &env(&[])).unwrap().tls,
        TlsMode::SelfSigned
    ));
}

#[test]
fn explicit_missing_config_file_is_an_error_default_one_is_not() {
    let f = Flags {
        config: Some("/nonexistent/portcullis.toml".into()),
        ..Flags::default()
    };
    let msg = load_with(&f, &env(&[])).unwrap_err().to_string();
    assert!(msg.starts_with("/nonexistent/portcullis.toml: "), "{msg}");
    assert!(load_with(&Flags::default(), &env(&[])).is_ok());
}

#[test]
fn unknown_env_vars_are_reported_except_test_ones() {
    let vars = [
        "PORTCULLIS_LISTN",
        "PORTCULLIS_LISTEN",
        "PORTCULLIS_TEST_DATABASE_URL",
        "HOME",
    ]
    .map(String::from);
    assert_eq!(
        unknown_env_vars(vars.into_iter()),
        vec!["PORTCULLIS_LISTN".to_owned()]
    );
}

#[test]
fn the_readme_example_config_is_valid() {
    let readme = include_str!("../../../../README.md");
    let start = readme.find("```toml\n").expect("README has a toml block") + "```toml\n".len();
    let len = readme[start..].find("```").unwrap();
    let c = load_toml(&readme[start..start + len]).unwrap();
    assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
    assert_eq!(c.http.body_limit, 65_536);
    assert_eq!(c.keys.refresh_interval, Duration::from_secs(30));
}
