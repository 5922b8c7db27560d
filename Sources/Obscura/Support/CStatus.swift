private import CObscuraStatus

/// The text a C shim wrote into a message buffer, up to its terminating NUL.
func messageText(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Throws when a call into a C shim failed, that is returned a status other than 0
/// (OBSCURA_STATUS_OK of CObscuraStatus.h, OBSCURA_OV_OK of COpenVINO): the error `special`
/// makes of the status and the shim's message, or else `code` with `text` and the message as
/// its cause.
func check(status: Int32, message: [CChar], _ code: ObscuraError.Code, _ text: @autoclosure () -> String,
           special: (_ status: Int32, _ reason: String) -> ObscuraError? = { _, _ in nil }) throws {
    guard status != OBSCURA_STATUS_OK else { return }
    let reason = messageText(message)
    throw special(status, reason) ?? ObscuraError(code, text(), cause: reason)
}
