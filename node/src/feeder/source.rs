//! Where the feeder's prices come from: a replay file of timestamped prices, or HTTP JSON
//! endpoints. Prices are parsed from decimal text exactly (never through a float).

use perpetua_primitives::{OracleKey, Price};
use serde::Deserialize;
use std::{collections::BTreeMap, path::Path, time::Duration};

/// A value the feeder could not read or parse, with what is wrong.
pub type SourceError = String;

/// `"97000.5"` as a `FixedU128`, exactly; at most 18 decimals, no sign, no exponent.
pub fn parse_price(text: &str) -> Result<Price, SourceError> {
    let t = text.trim().trim_matches('"');
    let (int, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        return Err(format!("'{text}' is not a decimal number like 97000.5"));
    }
    if frac.len() > 18 {
        return Err(format!("'{text}' has more than 18 decimals"));
    }
    let int: u128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| format!("'{text}' is too large"))?
    };
    let frac_value: u128 = if frac.is_empty() {
        0
    } else {
        frac.parse()
            .map_err(|_| format!("'{text}': bad decimals"))?
    };
    let inner = int
        .checked_mul(1_000_000_000_000_000_000)
        .and_then(|i| i.checked_add(frac_value * 10u128.pow(18 - frac.len() as u32)))
        .ok_or_else(|| format!("'{text}' is too large"))?;
    Ok(Price::from_inner(inner))
}

fn parse_key(text: &str) -> Result<OracleKey, SourceError> {
    text.parse::<OracleKey>()
        .map_err(|e| format!("key '{text}': {e}"))
}

/// One line of a replay file.
#[derive(Deserialize)]
struct ReplayLine {
    /// Milliseconds; only differences between records matter.
    at: u64,
    key: String,
    price: serde_json::Value,
}

fn value_text(v: &serde_json::Value) -> Result<String, SourceError> {
    match v {
        serde_json::Value::String(s) => Ok(s.clone()),
        serde_json::Value::Number(n) => Ok(n.to_string()),
        other => Err(format!("{other} is not a price")),
    }
}

/// Timestamped prices played back in real time from the feeder's start.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    /// `(ms after the first record, key, price)`, in time order.
    records: Vec<(u64, OracleKey, Price)>,
}

impl Replay {
    /// Reads a replay file: one record per line, either JSON
    /// (`{"at": 0, "key": "BTC", "price": "97000.5"}`) or CSV (`0,BTC,97000.5`). Blank lines
    /// and lines starting with `#` are skipped.
    pub fn load(path: &Path) -> Result<Self, SourceError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read replay file {}: {e}", path.display()))?;
        Self::parse(&text).map_err(|e| format!("replay file {}: {e}", path.display()))
    }

    /// Parses the text of a replay file.
    pub fn parse(text: &str) -> Result<Self, SourceError> {
        let mut records = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let at_line = |e: String| format!("line {}: {e}", n + 1);
            let (at, key, price) = if line.starts_with('{') {
                let r: ReplayLine =
                    serde_json::from_str(line).map_err(|e| at_line(e.to_string()))?;
                (r.at, r.key, value_text(&r.price).map_err(at_line)?)
            } else {
                let f: Vec<&str> = line.split(',').map(str::trim).collect();
                let [at, key, price] = f.as_slice() else {
                    return Err(at_line("expected at,key,price".into()));
                };
                let at = at
                    .parse()
                    .map_err(|_| at_line(format!("'{at}' is not a time in ms")))?;
                (at, key.to_string(), price.to_string())
            };
            let key = parse_key(&key).map_err(at_line)?;
            let price = parse_price(&price).map_err(at_line)?;
            records.push((at, key, price));
        }
        if records.is_empty() {
            return Err("no records".into());
        }
        records.sort_by_key(|r| r.0);
        let first = records[0].0;
        Ok(Replay {
            records: records
                .into_iter()
                .map(|(t, k, p)| (t - first, k, p))
                .collect(),
        })
    }

    /// The latest price of every key `elapsed` after the start.
    pub fn values_at(&self, elapsed: Duration) -> Vec<(OracleKey, Price)> {
        let ms = elapsed.as_millis() as u64;
        let mut latest: BTreeMap<OracleKey, Price> = BTreeMap::new();
        for (t, k, p) in &self.records {
            if *t > ms {
                break;
            }
            latest.insert(*k, *p);
        }
        latest.into_iter().collect()
    }

    /// Whether `elapsed` is past the replay's last record: its values were what the replay
    /// last said, and feeding them again would present old prices as fresh ones.
    pub fn ended_at(&self, elapsed: Duration) -> bool {
        let last = self.records.last().map_or(0, |r| r.0);
        elapsed.as_millis() as u64 >= last
    }
}

/// One HTTP JSON endpoint for one key.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct HttpSource {
    pub key: String,
    pub url: String,
    /// Where the price is in the JSON: dot-separated fields and array indexes, e.g.
    /// `data.price` or `result.0.last`. Empty: the whole body is the number.
    #[serde(default)]
    pub path: String,
}

/// Picks the value at `path` in `json`.
pub fn select<'a>(json: &'a serde_json::Value, path: &str) -> Option<&'a serde_json::Value> {
    path.split('.')
        .filter(|p| !p.is_empty())
        .try_fold(json, |v, part| match v {
            serde_json::Value::Array(a) => part.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => v.get(part),
        })
}

/// Reads an HTTP sources file: a JSON array of `{"key", "url", "path"}`.
pub fn load_http(path: &Path) -> Result<Vec<(OracleKey, HttpSource)>, SourceError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read HTTP sources file {}: {e}", path.display()))?;
    let sources: Vec<HttpSource> = serde_json::from_str(&text)
        .map_err(|e| format!("HTTP sources file {}: {e}", path.display()))?;
    if sources.is_empty() {
        return Err(format!("HTTP sources file {}: no sources", path.display()));
    }
    sources
        .into_iter()
        .map(|s| Ok((parse_key(&s.key)?, s)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use perpetua_primitives::CryptoIndex;

    #[test]
    fn prices_parse_exactly() {
        assert_eq!(
            parse_price("97000.5"),
            Ok(Price::from_inner(97_000_500_000_000_000_000_000))
        );
        assert_eq!(
            parse_price("0.000000000000000001"),
            Ok(Price::from_inner(1))
        );
        assert_eq!(parse_price(".5"), Ok(Price::from_rational(1, 2)));
        assert_eq!(parse_price("400"), Ok(Price::from_u32(400)));
        for bad in [
            "",
            ".",
            "-1",
            "1e5",
            "1.0000000000000000001",
            "abc",
            "1.2.3",
        ] {
            assert!(parse_price(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn replays_play_back_the_latest_value_per_key() {
        let r = Replay::parse(
            "# demo\n{\"at\": 1000, \"key\": \"BTC\", \"price\": \"100\"}\n1500,ETH,10\n3000,BTC,101.5\n",
        )
        .unwrap();
        let btc = OracleKey::Crypto(CryptoIndex::Btc);
        let eth = OracleKey::Crypto(CryptoIndex::Eth);
        assert_eq!(
            r.values_at(Duration::ZERO),
            vec![(btc, Price::from_u32(100))]
        );
        assert_eq!(r.values_at(Duration::from_millis(600)).len(), 2);
        let later = r.values_at(Duration::from_secs(10));
        assert!(later.contains(&(btc, parse_price("101.5").unwrap())));
        assert!(later.contains(&(eth, Price::from_u32(10))));
        // It ends at its last record (2 s after the first): nothing to refeed after that.
        assert!(!r.ended_at(Duration::from_millis(1999)));
        assert!(r.ended_at(Duration::from_millis(2000)));
        assert!(Replay::parse("").is_err());
        assert!(Replay::parse("0,DOGE,1").unwrap_err().contains("line 1"));
        assert!(Replay::parse("0,BTC").is_err());
    }

    #[test]
    fn json_paths_select_fields_and_indexes() {
        let j: serde_json::Value =
            serde_json::from_str(r#"{"data": {"price": "97000.5"}, "result": [{"last": 5}]}"#)
                .unwrap();
        assert_eq!(
            select(&j, "data.price").and_then(|v| v.as_str()),
            Some("97000.5")
        );
        assert_eq!(
            select(&j, "result.0.last").and_then(|v| v.as_u64()),
            Some(5)
        );
        assert!(select(&j, "data.nope").is_none());
    }
}
