{{# ci-download}}
url={{URL}}
sha256={{SHA256}}
curl -fsSL --retry 3 -o grade.download "$url"
echo "$sha256  grade.download" | sha256sum -c -
chmod 755 grade.download
mv grade.download grade
./grade --version
