-- AlterTable
ALTER TABLE "Order" ADD COLUMN "status" TEXT NOT NULL DEFAULT 'open';
