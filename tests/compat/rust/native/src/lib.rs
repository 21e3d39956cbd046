//! Native code that uses the interface crates' types without their `guest` feature.

/// A response decoded from bytes that live only as long as this call.
pub fn decode_response(bytes: Vec<u8>) -> actor::Response {
    actor::deserialize(&bytes).expect("a response decodes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_round_trip_through_the_old_functions() {
        let request = actor::Request {
            method: actor::Method::Post,
            path: "/a".to_string(),
            body: vec![0, 1, 255],
            trace: Some(vec![7]),
            ..Default::default()
        };
        let response = actor::Response {
            status_code: 200,
            body: b"ok".to_vec(),
            ..Default::default()
        };
        let (request_bytes, response_bytes) = actor::encode_pair(request.clone(), &response);
        assert_eq!(decode_response(response_bytes.clone()), response);
        let decoded: actor::Request = actor::deserialize(&request_bytes).expect("decodes");
        assert_eq!(decoded, request);
        // `bytes` travel as MessagePack bin (0xc4), as the old generator's serde_bytes wrote them.
        let body_at = response_bytes
            .windows(5)
            .position(|w| w == b"\xa4body")
            .expect("a body key");
        assert_eq!(&response_bytes[body_at + 5..body_at + 9], b"\xc4\x02ok");
    }

    #[test]
    fn an_absent_optional_and_a_default_enum() {
        let stored = keyvalue::SetRequest {
            key: "k".into(),
            ..Default::default()
        };
        let bytes = keyvalue::serialize(&stored).expect("encodes");
        let back: keyvalue::SetRequest = keyvalue::deserialize(&bytes).expect("decodes");
        assert_eq!(back.previous, None);
        assert_eq!(actor::Request::default().method, actor::Method::Get);
    }

    #[test]
    fn a_name_as_written_and_as_wapc_0_1_spelled_it() {
        let parts = actor::URLParts {
            host: "h".into(),
            path: "/".into(),
        };
        let same: actor::UrlParts = parts.clone();
        let request = actor::Request {
            url: Some(same),
            ..Default::default()
        };
        assert_eq!(request.url, Some(parts));
    }
}
