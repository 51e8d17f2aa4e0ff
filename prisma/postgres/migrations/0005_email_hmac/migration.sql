-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "emailHash" TEXT;

