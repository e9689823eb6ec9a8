#include "test_cert.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <memory>
#include <stdexcept>

namespace ferry::http::testing {
namespace {

struct free_key {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct free_cert {
  void operator()(X509* cert) const { X509_free(cert); }
};
struct free_bio {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct free_extension {
  void operator()(X509_EXTENSION* ext) const { X509_EXTENSION_free(ext); }
};

void require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("make_self_signed: ") + what + " failed");
}

template <class Write>
std::string to_pem(Write write) {
  std::unique_ptr<BIO, free_bio> bio(BIO_new(BIO_s_mem()));
  require(bio != nullptr && write(bio.get()) == 1, "PEM_write");
  std::string pem(BIO_ctrl_pending(bio.get()), '\0');
  require(BIO_read(bio.get(), pem.data(), static_cast<int>(pem.size())) == static_cast<int>(pem.size()), "BIO_read");
  return pem;
}

void name_subject(X509* cert, const std::string& common_name) {
  X509_NAME* name = X509_get_subject_name(cert);
  require(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1, 0) == 1,
          "X509_NAME_add_entry_by_txt");
  require(X509_set_issuer_name(cert, name) == 1, "X509_set_issuer_name");
}

void add_alt_names(X509* cert, const std::string& alt_names) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, free_extension> ext(
      X509V3_EXT_conf_nid(nullptr, &context, NID_subject_alt_name, alt_names.c_str()));
  require(ext != nullptr && X509_add_ext(cert, ext.get(), -1) == 1, "subjectAltName");
}

}  // namespace

tls_identity make_self_signed(const std::string& common_name, const std::string& alt_names) {
  static std::atomic<long> serial{1};
  std::unique_ptr<EVP_PKEY, free_key> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  require(key != nullptr, "EC P-256 key generation");
  std::unique_ptr<X509, free_cert> cert(X509_new());
  require(cert != nullptr, "X509_new");
  require(X509_set_version(cert.get(), 2) == 1, "X509_set_version");
  require(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial++) == 1, "serial");
  require(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "notBefore");
  require(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400) != nullptr, "notAfter");
  require(X509_set_pubkey(cert.get(), key.get()) == 1, "X509_set_pubkey");
  name_subject(cert.get(), common_name);
  add_alt_names(cert.get(), alt_names);
  require(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");
  return {to_pem([&](BIO* bio) { return PEM_write_bio_X509(bio, cert.get()); }),
          to_pem([&](BIO* bio) {
            return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
          })};
}

temp_file::temp_file(const std::string& contents) {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("ferry-http-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".pem");
  std::ofstream out(path_, std::ios::binary);
  out << contents;
  if (!out.flush()) throw std::runtime_error("cannot write " + path_.string());
}

temp_file::~temp_file() {
  std::error_code ignored;
  std::filesystem::remove(path_, ignored);
}

}  // namespace ferry::http::testing
