extension ModelDescriptor {
    /// OpenCV's Russian plate cascade (60 × 20 window, new format) from Debian's `opencv-data`
    /// 4.6.0+dfsg-12, `/usr/share/opencv4/haarcascades/`. Trained on one country's plates, it
    /// still finds many single-line plates elsewhere: see the README's plate figures.
    public static let plateCascade = ModelDescriptor(
        id: "haarcascade-russian-plate-number",
        fileName: "haarcascade_russian_plate_number.xml",
        sha256: "814cb5954682af570e58361f9e5f8b5b513a4112776bb9ecacef9f0e4ca6c2d7",
        source: "Debian opencv-data 4.6.0+dfsg-12, /usr/share/opencv4/haarcascades/haarcascade_russian_plate_number.xml")
}
