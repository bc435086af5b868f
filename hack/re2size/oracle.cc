// oracle prints, for each line read (a regular expression), the program
// size RE2 itself reports for it with Envoy's options (RE2::Quiet), or
// "error" when RE2 does not accept it. internal/re2size's tests are held
// to its answers; see README.md.
#include <re2/re2.h>

#include <iostream>
#include <string>

int main() {
  std::string line;
  while (std::getline(std::cin, line)) {
    re2::RE2 re(line, re2::RE2::Quiet);
    if (re.ok()) {
      std::cout << re.ProgramSize() << "\n";
    } else {
      std::cout << "error\n";
    }
  }
  return 0;
}
