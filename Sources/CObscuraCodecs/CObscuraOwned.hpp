// A C library's object released by that library's own function when the scope ends, on every
// path: a decoder's early exit cannot forget one. Not for code that longjmps (libjpeg's paths),
// where destructors do not run.
#ifndef COBSCURA_OWNED_HPP
#define COBSCURA_OWNED_HPP

namespace obscura {

template <typename T, auto Release>
class owned {
public:
    owned() = default;
    explicit owned(T *object) : object_(object) {}
    owned(const owned &) = delete;
    owned &operator=(const owned &) = delete;
    ~owned() { reset(nullptr); }

    /// Takes `object`, releasing the one held before.
    owned &operator=(T *object) {
        reset(object);
        return *this;
    }
    /// The object, for the library's calls; still owned here.
    operator T *() const { return object_; }
    T *operator->() const { return object_; }
    /// Where a library call writes a new object (the one held must be null).
    T **out() { return &object_; }

private:
    void reset(T *object) {
        if (object_ != nullptr) Release(object_);
        object_ = object;
    }
    T *object_ = nullptr;
};

}  // namespace obscura

#endif
