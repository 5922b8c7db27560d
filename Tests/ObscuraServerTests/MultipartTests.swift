import Foundation
import Testing
@testable import ObscuraServer

/// The upload reader behind `POST /v1/jobs`.
@Suite struct ServeMultipartTests {
    @Test func readsFieldsAndFiles() throws {
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"options\"\r\n\r\n{}\r\n--b\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a \\\"x\\\".jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\r\n-b--\r\n\r\n--b--\r\n".utf8)
        let parts = try Multipart.parse(body, boundary: "b")
        #expect(parts.count == 2)
        #expect(parts[0].name == "options" && parts[0].fileName == nil && Array(parts[0].body) == Array("{}".utf8))
        #expect(parts[1].fileName == "a \"x\".jpg")
        #expect(Array(parts[1].body) == Array("\r\n-b--\r\n".utf8))
        #expect(parts[1].contentType == "image/jpeg")
    }

    @Test func refusesTruncatedBodies() {
        let body = Array("--b\r\nContent-Disposition: form-data; name=\"images\"; filename=\"a.jpg\"\r\n\r\nabc".utf8)
        #expect(throws: Multipart.Malformed.self) { try Multipart.parse(body, boundary: "b") }
        #expect(throws: Multipart.Malformed.self) { try Multipart.parse(Array("junk".utf8), boundary: "b") }
    }

    @Test func readsTheBoundaryParameter() {
        #expect(Multipart.boundary(contentType: "multipart/form-data; boundary=\"a b\"") == "a b")
        #expect(Multipart.boundary(contentType: "Multipart/Form-Data;boundary=xyz") == "xyz")
        #expect(Multipart.boundary(contentType: "application/json") == nil)
    }

    @Test func cleansFileNames() {
        #expect(JobAPI.cleanName("../../etc/passwd", index: 0) == "passwd")
        #expect(JobAPI.cleanName("C:\\photos\\me.jpg", index: 0) == "me.jpg")
        #expect(JobAPI.cleanName("..", index: 2) == "image-3")
        #expect(JobAPI.cleanName(nil, index: 0) == "image-1")
    }
}
