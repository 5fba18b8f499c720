// A fresh temporary directory per test, removed at the end.
#ifndef BROOK_TESTS_TESTING_TEMP_DIR_H_
#define BROOK_TESTS_TESTING_TEMP_DIR_H_

#include <string>

namespace brook {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // A path inside the directory.
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace brook

#endif  // BROOK_TESTS_TESTING_TEMP_DIR_H_
