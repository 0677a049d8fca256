// catalogue.cpp: name lookups in the compiled catalogue.
#include "catalogue.h"

namespace phonehome::catalogue {

// Catalogues hold a handful of products with a handful of events each, so a linear scan over
// string_views beats any index here.
const ProductSpec* FindProduct(const Catalogue& catalogue, std::string_view name) {
  for (uint16_t i = 0; i < catalogue.product_count; ++i) {
    if (catalogue.products[i].name == name) return &catalogue.products[i];
  }
  return nullptr;
}

const EventSpec* FindEvent(const ProductSpec& product, std::string_view name) {
  for (uint16_t i = 0; i < product.event_count; ++i) {
    if (product.events[i].name == name) return &product.events[i];
  }
  return nullptr;
}

}  // namespace phonehome::catalogue
