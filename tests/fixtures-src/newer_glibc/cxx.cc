// std::to_chars(double): GLIBCXX_3.4.29 (GCC 11); condition_variable::wait: GLIBCXX_3.4.30 (GCC 12).
#include <charconv>
#include <condition_variable>
#include <cstdio>
#include <mutex>

int main()
{
    char buf[32];
    auto r = std::to_chars(buf, buf + sizeof buf - 1, 1.5);
    *r.ptr = '\0';
    std::mutex m;
    std::condition_variable cv;
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [] { return true; });
    std::puts(buf);
    return 0;
}
